package io.clustermd.dlm.core;

/**
 * The synchronous refusals of lock, convert, unlock and cancel (dlm.md §3.1, §12): the operation
 * was not accepted, no completion will follow, and nothing changed.
 */
public enum DlmError {
  /** Bad arguments or flag combination. */
  EINVAL(-22),
  /** Convert of a lock that is not granted, or an operation already in flight. */
  EBUSY(-16),
  /** Unknown or already-ended lock id. */
  ENOENT(-2);

  private final int errno;

  DlmError(int errno) {
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
