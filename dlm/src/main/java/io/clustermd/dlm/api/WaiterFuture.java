package io.clustermd.dlm.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A future whose waiters do not count as its dependents. A thread blocked in {@link #get} or
 * {@link #join} parks here, not as a stage of the future, so {@link #hasNoDependents()} tells the
 * completing thread whether completing it runs anyone's code. When it does not, a thread that must
 * not run caller code (the frame transport's I/O thread, which received a lock master's reply) can
 * complete it directly and wake the waiter: one thread hand-off fewer than going through an
 * executor. The DLM's lock operations return these (issue 3 (b): the remote round trip is the
 * caller's whole latency), and so does the messaging communicator.
 */
public final class WaiterFuture<T> extends CompletableFuture<T> {

  /** The one thread parked in {@link #get} here; a second concurrent waiter waits as a dependent. */
  private final AtomicReference<Thread> waiter = new AtomicReference<>();

  /** No stage depends on this future: completing it runs no caller code. */
  public boolean hasNoDependents() {
    return getNumberOfDependents() == 0;
  }

  @Override
  public T get() throws InterruptedException, ExecutionException {
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
  public T get(long timeout, TimeUnit unit)
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
  public T join() {
    if (!isDone() && waiter.compareAndSet(null, Thread.currentThread())) {
      boolean interrupted = false;
      try {
        while (!isDone()) {
          LockSupport.park(this);
          interrupted |= Thread.interrupted();
        }
      } finally {
        waiter.set(null);
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
    return super.join();
  }

  @Override
  public boolean complete(T value) {
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
