package io.clustermd.messaging.message;

import io.clustermd.bitmap.format.MdSlot;
import java.util.Objects;

/**
 * One broadcast as it sits in the {@code message} LVB: its place in the cluster-wide order, the
 * sender's slot ({@code cmsg.slot}) and the body.
 *
 * @param seq the previous broadcast's seq + 1; the first is 1
 */
public record Envelope(long seq, MdSlot sender, Message message) {

  public Envelope {
    if (seq < 1) {
      throw new IllegalArgumentException("seq starts at 1: " + seq);
    }
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(message, "message");
  }

  /** {@code METADATA_UPDATED #12 from slot0}: how errors and logs name a message. */
  public String describe() {
    return message.type() + " #" + seq + " from " + sender;
  }
}
