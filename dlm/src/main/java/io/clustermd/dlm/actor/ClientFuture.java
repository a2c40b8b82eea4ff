package io.clustermd.dlm.actor;

import io.clustermd.dlm.api.StatusBlock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The future of one lock operation. A thread blocked in {@link #get} waits here, not as a
 * dependent of the future, so {@link #hasNoDependents()} tells the lock whether completing it runs
 * anyone's code: when it does not, the inbound thread that received the master's reply completes
 * it directly and wakes the waiter, one thread hand-off fewer than going through the callback
 * executor (issue 3 (b): the remote round trip is the caller's whole latency). Callbacks
 * (dependent stages, blocking handlers) still run only on the callback executor.
 */
final class ClientFuture extends CompletableFuture<StatusBlock> {

  /** The one thread parked in {@link #get} here; a second concurrent waiter waits as a dependent. */
  private final AtomicReference<Thread> waiter = new AtomicReference<>();

  /** No stage depends on this future: completing it runs no caller code. */
  boolean hasNoDependents() {
    return getNumberOfDependents() == 0;
  }

  @Override
  public StatusBlock get() throws InterruptedException, ExecutionException {
    if (!isDone() && waiter.compareAndSet(null, Thread.currentThread())) {
      try {
        while (!isDone()) {
          LockSupport.park(this);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
      } finally {
        waiter.set(null);
      }
    }
    return super.get();
  }

  @Override
  public StatusBlock get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (!isDone() && waiter.compareAndSet(null, Thread.currentThread())) {
      long deadline = System.nanoTime() + unit.toNanos(timeout);
      try {
        while (!isDone()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new TimeoutException();
          }
          LockSupport.parkNanos(this, left);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
      } finally {
        waiter.set(null);
      }
    }
    return super.get(timeout, unit);
  }

  @Override
  public boolean complete(StatusBlock value) {
    boolean done = super.complete(value);
    wake();
    return done;
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    boolean done = super.completeExceptionally(ex);
    wake();
    return done;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean done = super.cancel(mayInterruptIfRunning);
    wake();
    return done;
  }

  private void wake() {
    Thread t = waiter.get();
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
