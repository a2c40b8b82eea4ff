package io.clustermd.dlm.api;

import io.clustermd.dlm.core.LockMode;

/**
 * A blocking callback ("bast", dlm.md §5.2): another lock waits for {@code requestedMode}, which
 * this lock's mode blocks. Advisory: the holder decides whether to convert down or unlock. Runs on
 * the lockspace's callback executor (or, for a request with {@code nonBlockingCallbacks}, on the
 * thread that received the event), never concurrently with another callback of the same lock; a
 * handler must not block waiting for a later callback of its own lock.
 */
@FunctionalInterface
public interface BlockingHandler {
  void blocking(DlmLock lock, LockMode requestedMode);
}
