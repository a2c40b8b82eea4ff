package io.clustermd.dlm.api;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.SbFlag;

/**
 * What a completion reports (libdlm's {@code dlm_lksb}): the status, the lock id and the status
 * flags. Unlike libdlm it also says the mode the lock holds afterwards (null once it is gone), so
 * that callers need not infer it from ALTMODE and DEMOTED. When the operation read the LVB, the
 * caller's buffer was filled before this completion was delivered.
 */
public record StatusBlock(DlmStatus status, long lockId, int sbFlags, LockMode mode) {

  /** Granted or converted. */
  public boolean granted() {
    return status == DlmStatus.OK;
  }

  /** {@code DLM_SBF_VALNOTVALID}: the LVB may be stale. */
  public boolean valueNotValid() {
    return SbFlag.isSet(sbFlags, SbFlag.VALNOTVALID);
  }

  /** {@code DLM_SBF_DEMOTED}: CONVDEADLK demoted the lock to NL on the way. */
  public boolean demoted() {
    return SbFlag.isSet(sbFlags, SbFlag.DEMOTED);
  }

  /** {@code DLM_SBF_ALTMODE}: granted in the alternate mode (PR or CW). */
  public boolean alternateMode() {
    return SbFlag.isSet(sbFlags, SbFlag.ALTMODE);
  }

  @Override
  public String toString() {
    return status + " lock=" + Long.toHexString(lockId) + " mode=" + mode + " flags=" + SbFlag.describe(sbFlags);
  }
}
