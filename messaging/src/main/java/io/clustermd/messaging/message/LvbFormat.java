package io.clustermd.messaging.message;

import java.util.OptionalLong;

/**
 * How messages and receipts sit in a 64-byte LVB. The communication core takes it as a parameter,
 * so that it needs no serialization library on its class path: production passes
 * {@link LvbCodec#PROTOBUF} (mdcluster.proto); the simulator, which keeps protobuf off its class
 * path (DESIGN.md §3), may pass a format of its own.
 */
public interface LvbFormat {

  byte[] encode(Envelope envelope);

  /** @throws MalformedLvbException naming what was wrong, an unknown type included */
  Envelope decode(byte[] lvb);

  /** The seq of the message in the LVB when it can be read even if its body cannot; else empty. */
  OptionalLong peekSeq(byte[] lvb);

  byte[] encode(Receipt receipt);

  /**
   * @return null for an all-zero LVB (nobody published a receipt: the slot is not a member)
   * @throws MalformedLvbException naming what was wrong
   */
  Receipt decodeReceipt(byte[] lvb);
}
