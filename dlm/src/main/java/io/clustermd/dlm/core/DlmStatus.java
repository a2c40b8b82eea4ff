package io.clustermd.dlm.core;

/**
 * The status a completion carries (dlm.md §5.1, §12), with the kernel's values: exactly one per
 * accepted operation, and none for a cancel that lost to a grant.
 */
public enum DlmStatus {
  /** Granted or converted. */
  OK(0),
  /** NOQUEUE and not grantable at once. */
  EAGAIN(-11),
  /** Conversion deadlock: the conversion was refused and the lock keeps its old mode. */
  EDEADLK(-35),
  /** The unlock completed; the lock id is dead. */
  EUNLOCK(-0x10002),
  /** The pending request or conversion was cancelled (a conversion keeps its old mode). */
  ECANCEL(-0x10001);

  private final int errno;

  DlmStatus(int errno) {
    this.errno = errno;
  }

  /** The value a libdlm caller would find in {@code sb_status}. */
  public int errno() {
    return errno;
  }
}
