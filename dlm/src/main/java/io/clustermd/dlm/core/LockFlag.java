package io.clustermd.dlm.core;

/**
 * The caller flags of fs/dlm ({@code DLM_LKF_*}, dlm.md §6), with the kernel's bit values so that
 * they can be logged and carried on the wire unchanged.
 */
public enum LockFlag {
  /** Fail with EAGAIN rather than queue. */
  NOQUEUE(0x00000001),
  /** Unlock only: cancel the pending request or conversion. */
  CANCEL(0x00000002),
  /** The request converts an existing lock. */
  CONVERT(0x00000004),
  /** Transfer the lock value block (§1.3). */
  VALBLK(0x00000008),
  /** The conversion queues behind existing conversions; upward conversions only (§1.2). */
  QUECVT(0x00000010),
  /** On unlock or down-conversion from PW/EX, mark the LVB invalid instead of writing it. */
  IVVALBLK(0x00000020),
  /** On conversion deadlock, demote this lock to NL instead of failing with EDEADLK. */
  CONVDEADLK(0x00000040),
  /** Userspace orphan locks; accepted and recorded, no effect in clustermd. */
  PERSISTENT(0x00000080),
  /** A conversion deadlock queues anyway and basts the lock itself. */
  NODLCKWT(0x00000100),
  /** New NL requests only: granted at once regardless of the queues. */
  EXPEDITE(0x00000400),
  /** With NOQUEUE: bast the holders that block before failing. */
  NOQUEUEBAST(0x00000800),
  /** Insert at the head of the wait or convert queue. */
  HEADQUE(0x00001000),
  /** Grant as soon as compatible, ignoring queue order. */
  NOORDER(0x00002000),
  /** If the requested mode cannot be granted, try PR. */
  ALTPR(0x00008000),
  /** If the requested mode cannot be granted, try CW. */
  ALTCW(0x00010000),
  /** Unlock even while an operation on the lock is in flight. */
  FORCEUNLOCK(0x00020000);

  private final int bit;

  LockFlag(int bit) {
    this.bit = bit;
  }

  /** The {@code DLM_LKF_*} value. */
  public int bit() {
    return bit;
  }
}
