package io.clustermd.messaging.core;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.messaging.message.MessageType;
import java.util.List;

/**
 * Why a local request failed. {@link #description()} is the whole story in one sentence, e.g.
 * {@code REMOVE #12 from slot0 was not acknowledged within 30000 ms by slot2 (last processed #11)}.
 *
 * @param type the message concerned, or null
 * @param seq its seq, or 0
 * @param notAcked the nodes that did not ack (for {@link Kind#NOT_ACKNOWLEDGED}), else empty
 */
public record CommFailure(
    Kind kind, String description, MessageType type, long seq, List<MdSlot> notAcked) {

  public enum Kind {
    /** The request is not allowed in the node's state (not joined, leaving, wrong hold, …). */
    REFUSED,
    /** Too many local senders are already waiting. */
    QUEUE_FULL,
    /** A local sender waited longer than {@code localWaitMillisMax} for its turn. */
    LOCAL_WAIT_EXPIRED,
    /** A lock operation was not granted in time (and was cancelled), or completed with an error. */
    LOCK_FAILED,
    /** Every other node did not ack the message in time. */
    NOT_ACKNOWLEDGED,
    /** A cancel did not complete: the node's locks are in an unknown state until it leaves. */
    BROKEN
  }

  public CommFailure {
    notAcked = List.copyOf(notAcked);
  }

  public static CommFailure of(Kind kind, String description) {
    return new CommFailure(kind, description, null, 0, List.of());
  }

  @Override
  public String toString() {
    return kind + ": " + description;
  }
}
