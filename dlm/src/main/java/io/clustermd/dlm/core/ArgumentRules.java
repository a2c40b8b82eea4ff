package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.CANCEL;
import static io.clustermd.dlm.core.LockFlag.CONVDEADLK;
import static io.clustermd.dlm.core.LockFlag.CONVERT;
import static io.clustermd.dlm.core.LockFlag.EXPEDITE;
import static io.clustermd.dlm.core.LockFlag.FORCEUNLOCK;
import static io.clustermd.dlm.core.LockFlag.IVVALBLK;
import static io.clustermd.dlm.core.LockFlag.NOQUEUE;
import static io.clustermd.dlm.core.LockFlag.QUECVT;
import static io.clustermd.dlm.core.LockFlag.VALBLK;

/**
 * The argument checks that need no lock state: fs/dlm's {@code set_lock_args} and
 * {@code set_unlock_args} (dlm.md §3.1). Each returns null when the arguments are acceptable, or
 * the reason they are not (the caller sees EINVAL with that reason).
 */
public final class ArgumentRules {

  private ArgumentRules() {}

  /**
   * dlm.md §3.1, {@code set_lock_args}, in the kernel's order.
   *
   * @param flags the caller's flags; CONVERT marks a conversion
   * @param hasLvb whether the caller gave an LVB buffer
   */
  public static String lockArgs(LockMode mode, LockFlags flags, boolean hasLvb) {
    if (mode == null) {
      return "mode is missing";
    }
    if (flags.has(CANCEL)) {
      return "CANCEL is an unlock flag, not a lock flag";
    }
    if (flags.has(QUECVT) && !flags.has(CONVERT)) {
      return "QUECVT is only valid on a conversion";
    }
    if (flags.has(CONVDEADLK) && !flags.has(CONVERT)) {
      return "CONVDEADLK is only valid on a conversion";
    }
    if (flags.has(CONVDEADLK) && flags.has(NOQUEUE)) {
      return "CONVDEADLK cannot be combined with NOQUEUE";
    }
    if (flags.has(EXPEDITE) && flags.has(CONVERT)) {
      return "EXPEDITE is only valid on a new request";
    }
    if (flags.has(EXPEDITE) && flags.has(QUECVT)) {
      return "EXPEDITE cannot be combined with QUECVT";
    }
    if (flags.has(EXPEDITE) && flags.has(NOQUEUE)) {
      return "EXPEDITE cannot be combined with NOQUEUE";
    }
    if (flags.has(EXPEDITE) && mode != LockMode.NL) {
      return "EXPEDITE is only valid for NL, not " + mode;
    }
    if (flags.has(VALBLK) && !hasLvb) {
      return "VALBLK needs an LVB buffer";
    }
    return null;
  }

  /** dlm.md §3.1, {@code set_unlock_args}: only CANCEL, VALBLK, IVVALBLK, FORCEUNLOCK. */
  public static String unlockArgs(LockFlags flags) {
    if (!flags.onlyFrom(CANCEL, VALBLK, IVVALBLK, FORCEUNLOCK)) {
      return "unlock accepts only CANCEL, VALBLK, IVVALBLK and FORCEUNLOCK, not " + flags;
    }
    if (flags.has(CANCEL) && flags.has(FORCEUNLOCK)) {
      return "CANCEL cannot be combined with FORCEUNLOCK";
    }
    return null;
  }
}
