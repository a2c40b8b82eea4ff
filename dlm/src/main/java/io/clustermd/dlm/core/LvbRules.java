package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.IVVALBLK;
import static io.clustermd.dlm.core.LockFlag.VALBLK;

import java.util.Arrays;

/**
 * A resource's lock value block and fs/dlm's rules for it (dlm.md §1.3, §8: {@code set_lvb_lock},
 * {@code set_lvb_unlock}). The block exists only once a PW/EX holder wrote it, and is freed with
 * the resource's last lock.
 */
final class LvbRules {

  private final int length;
  /** {@code res_lvbptr}: null until first written, and again once freed. */
  private byte[] value;
  /** {@code res_lvbseq}: incremented on every write. */
  private int sequence;
  /** {@code RSB_VALNOTVALID}. */
  private boolean notValid;

  LvbRules(int length) {
    this.length = length;
  }

  byte[] value() {
    return value == null ? null : value.clone();
  }

  boolean notValid() {
    return notValid;
  }

  int sequence() {
    return sequence;
  }

  /**
   * {@code set_lvb_lock}: at a grant from {@code lkb.grmode} to {@code lkb.rqmode}, read or write
   * the block per §1.3 and report VALNOTVALID in the lock's status flags.
   *
   * @return a fresh copy of the block when it was read into the lock, else null
   */
  byte[] onGrant(Lock lkb) {
    byte[] read = null;
    switch (ModeTables.lvbOp(lkb.grmode, lkb.rqmode)) {
      case READ -> {
        if (lkb.lvb == null || !lkb.has(VALBLK) || value == null) {
          return null;
        }
        System.arraycopy(value, 0, lkb.lvb, 0, length);
        lkb.lvbSeq = sequence;
        read = value.clone();
      }
      case WRITE -> {
        if (lkb.has(IVVALBLK)) {
          notValid = true;
          return null;
        }
        if (lkb.lvb == null || !lkb.has(VALBLK)) {
          return null;
        }
        write(lkb);
      }
      case NONE -> {
        // Untouched, but a stale block is still reported below.
      }
    }
    if (notValid) {
      lkb.sbflags |= SbFlag.VALNOTVALID.bit();
    }
    return read;
  }

  /** {@code set_lvb_unlock}: an unlock from PW or EX writes (or invalidates) the block. */
  void onUnlock(Lock lkb) {
    if (lkb.grmode == null || lkb.grmode.value() < LockMode.PW.value()) {
      return;
    }
    if (lkb.has(IVVALBLK)) {
      notValid = true;
      return;
    }
    if (lkb.lvb == null || !lkb.has(VALBLK)) {
      return;
    }
    write(lkb);
  }

  private void write(Lock lkb) {
    if (value == null) {
      value = new byte[length];
    }
    System.arraycopy(lkb.lvb, 0, value, 0, length);
    sequence++;
    lkb.lvbSeq = sequence;
    notValid = false;
  }

  /**
   * Recovery: a departed PW/EX holder with VALBLK may have changed the value without writing it
   * back (dlm.md §8 "Recovery", case 1).
   */
  void invalidate() {
    notValid = true;
  }

  /**
   * Recovery on a new master (dlm.md §8 "Recovery", case 2): the rebuilt block and whether it is
   * trusted.
   */
  void restore(byte[] recovered, int recoveredSequence, boolean trusted) {
    value = recovered == null ? null : Arrays.copyOf(recovered, length);
    sequence = recoveredSequence;
    notValid = !trusted;
  }

  /** The last lock left: the block goes with it. */
  void free() {
    value = null;
    notValid = false;
  }

  void checkInvariants() {
    if (value != null && value.length != length) {
      throw new IllegalStateException("LVB is " + value.length + " bytes, expected " + length);
    }
  }
}
