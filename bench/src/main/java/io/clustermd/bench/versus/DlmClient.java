package io.clustermd.bench.versus;

import io.clustermd.bench.versus.LockServiceBackend.LockClient;
import io.clustermd.bench.versus.LockServiceBackend.LockHandle;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.Lockspace;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A benchmark client over clustermd's {@link Lockspace} API, as an application uses it: a new
 * lock per acquisition (EX, or PR when shared), waiting for each completion. Shared by every
 * clustermd backend, local or distributed, so they are measured through the same calls.
 */
final class DlmClient implements LockClient {

  private final Lockspace lockspace;
  private final long lockWaitMillisMax;

  DlmClient(Lockspace lockspace, long lockWaitMillisMax) {
    this.lockspace = lockspace;
    this.lockWaitMillisMax = lockWaitMillisMax;
  }

  /** A granted clustermd lock. */
  record DlmHandle(DlmLock lock) implements LockHandle {}

  @Override
  public LockHandle lock(String name, boolean exclusive) throws Exception {
    DlmLock lock = lockspace.lock(LockRequest.of(name, exclusive ? LockMode.EX : LockMode.PR));
    StatusBlock sb = await(lock.requested(), "lock " + name);
    if (!sb.granted()) {
      throw new IllegalStateException(lockspace.name() + ": lock " + name + " was not granted: " + sb);
    }
    return new DlmHandle(lock);
  }

  @Override
  public void unlock(LockHandle handle) throws Exception {
    DlmLock lock = ((DlmHandle) handle).lock();
    StatusBlock sb = await(lock.unlock(LockFlags.NONE), "unlock " + lock.resource());
    if (sb.status() != DlmStatus.EUNLOCK) {
      throw new IllegalStateException(lockspace.name() + ": unlock of " + lock.resource() + " completed with " + sb);
    }
  }

  /** Holds an NL lock on {@code name} (keeps the resource, and its master, without blocking anyone). */
  DlmLock holdNullLock(String name) throws Exception {
    DlmLock lock = lockspace.lock(LockRequest.of(name, LockMode.NL));
    StatusBlock sb = await(lock.requested(), "NL lock " + name);
    if (!sb.granted()) {
      throw new IllegalStateException(lockspace.name() + ": NL lock on " + name + " was not granted: " + sb);
    }
    return lock;
  }

  private StatusBlock await(CompletionStage<StatusBlock> stage, String what) throws Exception {
    try {
      return stage.toCompletableFuture().get(lockWaitMillisMax, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException(
          lockspace.name() + ": " + what + " did not complete within lockWaitMillisMax=" + lockWaitMillisMax + " ms");
    }
  }
}
