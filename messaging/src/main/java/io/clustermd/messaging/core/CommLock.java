package io.clustermd.messaging.core;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.ResourceName;

/**
 * The long-lived locks one node holds in the array's lockspace for communication (mdcluster.md
 * §2). Each is requested once at join and then only converted, never re-created; "unlock" means
 * convert to NL, and only leave really unlocks them.
 */
public enum CommLock {
  /** Steady NL; EX while this node owns communication (a send, or a multi-step operation). */
  TOKEN(false),
  /** Its LVB carries the message. Sender NL→EX→(write)→CW→NL; receiver NL→CR→PR→NL. */
  MESSAGE(true),
  /** Steady CR on every node; its blocking callback for EX means "you have mail". */
  ACK(false),
  /** Steady CR; a receiver drops it to NL to accept a NEWDISK; the initiator tries EX NOQUEUE. */
  NO_NEW_DEV(false),
  /**
   * This node's {@code receipt%04d}: held PW while a member; its LVB says the last message this
   * node processed (PW→PW republishes it). Not in the kernel: it lets a sender name who did not ack.
   */
  RECEIPT(true);

  private final boolean hasLvb;

  CommLock(boolean hasLvb) {
    this.hasLvb = hasLvb;
  }

  /** Whether the lock is requested with an LVB buffer and converted with VALBLK. */
  public boolean hasLvb() {
    return hasLvb;
  }

  /**
   * The resource name, built here and nowhere else (CONVENTIONS.md §3): {@code token},
   * {@code message}, {@code ack}, {@code no-new-dev}, {@code receipt%04d} of the node's md slot.
   */
  public ResourceName resource(MdSlot self) {
    return switch (this) {
      case TOKEN -> ResourceName.of("token");
      case MESSAGE -> ResourceName.of("message");
      case ACK -> ResourceName.of("ack");
      case NO_NEW_DEV -> ResourceName.of("no-new-dev");
      case RECEIPT -> receipt(self);
    };
  }

  /** {@code receipt%04d}, like {@code bitmap%04d} numbered by the md slot. */
  public static ResourceName receipt(MdSlot slot) {
    return ResourceName.of(String.format("receipt%04d", slot.value()));
  }
}
