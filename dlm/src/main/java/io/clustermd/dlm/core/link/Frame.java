package io.clustermd.dlm.core.link;

/**
 * One frame on the wire between two {@link ReliableLink}s (the analogue of fs/dlm midcomms'
 * {@code dlm_header} with {@code h_seq}, plus the incarnations Artery gives us for free).
 *
 * <pre>
 * field               | type | meaning
 * --------------------+------+-----------------------------------------------------------------
 * senderIncarnation   | long | incarnation of the sending node (Akka member uid), &gt; 0
 * receiverIncarnation | long | incarnation of the receiving node as the sender knows it, &gt; 0
 * seq                 | long | data: 1, 2, 3, ... per direction and incarnation pair; 0 = ack only
 * ack                 | long | cumulative ack: highest seq received in order from the receiver
 *                     |      | (of this incarnation pair); 0 = nothing yet
 * payload             | P    | data: the opaque message; ack only: null
 * </pre>
 *
 * @param <P> the payload type (a protobuf message in the DLM, a record in the simulator)
 */
public record Frame<P>(
    long senderIncarnation, long receiverIncarnation, long seq, long ack, P payload) {

  public Frame {
    if (senderIncarnation <= 0 || receiverIncarnation <= 0) {
      throw new IllegalArgumentException(
          "incarnations must be > 0: sender=" + senderIncarnation + " receiver=" + receiverIncarnation);
    }
    if (seq < 0 || ack < 0) {
      throw new IllegalArgumentException("seq and ack must be >= 0: seq=" + seq + " ack=" + ack);
    }
    if ((seq == 0) != (payload == null)) {
      throw new IllegalArgumentException(
          "a data frame has seq > 0 and a payload, an ack frame seq 0 and none: seq=" + seq);
    }
  }

  /** A data frame carrying {@code payload} and a piggybacked cumulative ack. */
  public static <P> Frame<P> data(long sender, long receiver, long seq, long ack, P payload) {
    return new Frame<>(sender, receiver, seq, ack, payload);
  }

  /** A standalone acknowledgement. */
  public static <P> Frame<P> ackOnly(long sender, long receiver, long ack) {
    return new Frame<>(sender, receiver, 0, ack, null);
  }

  public boolean isData() {
    return seq != 0;
  }

  @Override
  public String toString() {
    return (isData() ? "Data" : "Ack")
        + "[from=" + senderIncarnation + " to=" + receiverIncarnation
        + (isData() ? " seq=" + seq : "") + " ack=" + ack + "]";
  }
}
