package io.clustermd.messaging.message;

import io.clustermd.bitmap.format.MdSlot;
import java.util.Objects;

/**
 * What a node publishes in the LVB of its own {@code receipt%04d} lock: the last broadcast it
 * processed and whether it processes messages yet. Not part of the kernel protocol: it lets a
 * sender whose {@code ack} EX timed out name the nodes that did not process its message, which the
 * {@code ack} lock alone cannot tell.
 *
 * @param lastProcessed seq of the last message processed; 0 for none since the node joined
 * @param ready false while the node joined but holds messages until it is ready (mdcluster.md §3.5)
 */
public record Receipt(MdSlot slot, long lastProcessed, boolean ready) {

  public Receipt {
    Objects.requireNonNull(slot, "slot");
    if (lastProcessed < 0) {
      throw new IllegalArgumentException("lastProcessed must be >= 0: " + lastProcessed);
    }
  }

  /** {@code slot2 (last processed #11)} or {@code slot3 (joined, not ready: holds messages)}. */
  public String describe() {
    if (!ready) {
      return slot + " (joined, not ready: holds messages)";
    }
    return slot + (lastProcessed == 0 ? " (processed nothing yet)" : " (last processed #" + lastProcessed + ")");
  }
}
