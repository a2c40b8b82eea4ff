package io.clustermd.dlm.actor;

import akka.actor.ExtendedActorSystem;
import akka.serialization.SerializerWithStringManifest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.clustermd.proto.dlm.HostQuery;
import io.clustermd.proto.dlm.Hosted;
import io.clustermd.proto.dlm.LinkFrame;
import java.io.NotSerializableException;
import java.util.Map;

/**
 * Serializes {@link DlmManager.Wire}: the protobuf message's bytes, with its full proto name as
 * the manifest and a fixed table of parsers (no reflection, and nothing else can be decoded).
 */
public final class WireSerializer extends SerializerWithStringManifest {

  /** Akka reserves 0-40; "cmd" in ASCII. */
  public static final int IDENTIFIER = 0x636d64;

  private static final Map<String, Parser<? extends Message>> PARSERS = Map.of(
      LinkFrame.getDescriptor().getFullName(), LinkFrame.parser(),
      Hosted.getDescriptor().getFullName(), Hosted.parser(),
      HostQuery.getDescriptor().getFullName(), HostQuery.parser());

  public WireSerializer(ExtendedActorSystem system) {}

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return ((DlmManager.Wire) o).message().getDescriptorForType().getFullName();
  }

  @Override
  public byte[] toBinary(Object o) {
    return ((DlmManager.Wire) o).message().toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    Parser<? extends Message> parser = PARSERS.get(manifest);
    if (parser == null) {
      throw new NotSerializableException("clustermd DLM: unknown message type " + manifest);
    }
    try {
      return new DlmManager.Wire(parser.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new NotSerializableException("clustermd DLM: malformed " + manifest + ": " + e.getMessage());
    }
  }
}
