package io.clustermd.dlm.core;

/** Where a lock sits on its resource (fs/dlm {@code lkb_status}). */
public enum LockStatus {
  /** Just created by a request, on no queue yet (the kernel's status 0). */
  NEW,
  /** A new request on the wait queue; it holds nothing yet. */
  WAITING,
  /** On the grant queue, holding its granted mode, nothing pending. */
  GRANTED,
  /** On the convert queue: holds its granted mode and waits for the requested one. */
  CONVERT,
  /** Unlocked, cancelled while waiting, or a refused new request: the id is dead. */
  ENDED
}
