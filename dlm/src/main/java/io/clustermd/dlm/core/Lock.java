package io.clustermd.dlm.core;

/**
 * One lock's state as its master sees it (fs/dlm's {@code lkb}). Mutable, owned by exactly one
 * {@link LockResource}; callers read it through the accessors.
 */
public final class Lock {

  private final LockId id;
  private final boolean wantsBlockingCallbacks;
  /** The sequence in which the lock first entered the resource; for diagnostics and checkers. */
  final long arrival;

  /** Held mode; null = IV (never granted, or gone). */
  LockMode grmode;
  /** Pending mode; null = IV (nothing pending). */
  LockMode rqmode;

  LockStatus status = LockStatus.NEW;
  /** The flags of the latest call ({@code lkb_exflags}). */
  LockFlags exflags;
  /** The {@code sb_flags} of the operation in progress. */
  int sbflags;
  /**
   * Highest mode value a bast was sent for since the last grant ({@code lkb_highbast}); 0 after a
   * grant, as in the kernel, where NL never needs a bast.
   */
  int highbast;
  /** The LVB sequence number the holder's copy corresponds to ({@code lkb_lvbseq}). */
  int lvbSeq;
  /** The holder's copy of the LVB (lvbLength bytes), or null when the holder never gave one. */
  byte[] lvb;

  Lock(LockId id, boolean wantsBlockingCallbacks, long arrival) {
    this.id = id;
    this.wantsBlockingCallbacks = wantsBlockingCallbacks;
    this.arrival = arrival;
  }

  public LockId id() {
    return id;
  }

  public LockMode grantedMode() {
    return grmode;
  }

  public LockMode requestedMode() {
    return rqmode;
  }

  public LockStatus status() {
    return status;
  }

  public boolean wantsBlockingCallbacks() {
    return wantsBlockingCallbacks;
  }

  /** The LVB sequence number the holder's copy corresponds to (for recovery, dlm.md §8). */
  public int lvbSequence() {
    return lvbSeq;
  }

  /** The flags of the latest call on this lock. */
  public LockFlags flags() {
    return exflags;
  }

  /** A copy of the holder's LVB as the master last saw it, or null. */
  public byte[] lvb() {
    return lvb == null ? null : lvb.clone();
  }

  boolean isConversion() {
    return grmode != null;
  }

  boolean has(LockFlag flag) {
    return exflags.has(flag);
  }

  @Override
  public String toString() {
    return "lock " + id + " " + status + " gr=" + grmode + " rq=" + rqmode + " flags=" + exflags;
  }
}
