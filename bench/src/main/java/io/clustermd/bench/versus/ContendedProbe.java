package io.clustermd.bench.versus;

import io.clustermd.bench.versus.LockServiceBackend.LockClient;
import io.clustermd.bench.versus.LockServiceBackend.LockHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Case (c): one thread on each node loops lock(EX) → unlock on the same name with an empty
 * critical section, so the lock is always wanted by someone.
 *
 * <p>A <b>handoff</b> (transfer) is an acquisition by a different node than the previous holder;
 * its latency runs from the previous holder starting {@code unlock} to the new holder returning
 * from {@code lock}, both read from {@link System#nanoTime()} in this one JVM (as perf.md §2
 * measured Curator). The rate is handoffs per second of the measured window. A counter of threads
 * inside the critical section checks mutual exclusion at every acquisition.
 *
 * <p>The window holds at least one handoff: on a starved machine it stays open past its nominal
 * end until the first one (bounded by {@code lockWaitMillisMax}), and the rate is taken over the
 * window as it really was.
 */
final class ContendedProbe {

  /** Time the threads get to leave after the window closes, beyond one lock wait. */
  private static final long JOIN_GRACE_MILLIS = 5_000;

  private final LockServiceBackend backend;
  private final String lockName;
  private final VersusOptions options;

  private final AtomicInteger inside = new AtomicInteger();
  private final AtomicLong violations = new AtomicLong();
  private final AtomicLong acquisitions = new AtomicLong();
  private final AtomicInteger lastHolder = new AtomicInteger(-1);
  private final AtomicLong lastReleaseStart = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Histogram handoffNanos = Latencies.newSynchronizedHistogram();
  private final Histogram acquireWaitNanos = Latencies.newSynchronizedHistogram();

  private long windowStart;
  private long windowEnd;
  /** Past this the case fails rather than wait longer for its first handoff. */
  private long hardEnd;
  /** When the window really closed: max(windowEnd, the first handoff); guarded by this. */
  private long closedAt = Long.MAX_VALUE;

  private ContendedProbe(LockServiceBackend backend, String lockName, VersusOptions options) {
    this.backend = backend;
    this.lockName = lockName;
    this.options = options;
  }

  static CaseResult run(LockServiceBackend backend, String lockName, VersusOptions options)
      throws InterruptedException {
    return new ContendedProbe(backend, lockName, options).run();
  }

  private CaseResult run() throws InterruptedException {
    windowStart = System.nanoTime() + options.warmup().toNanos();
    windowEnd = windowStart + options.measure().toNanos();
    hardEnd = windowEnd + TimeUnit.MILLISECONDS.toNanos(options.lockWaitMillisMax());
    List<Thread> threads = new ArrayList<>();
    for (int n = 0; n < options.nodes(); n++) {
      int node = n;
      Thread t = new Thread(() -> loop(node), "versus-c-" + NodeNames.of(node));
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    long joinDeadline = System.currentTimeMillis()
        + options.warmup().toMillis() + options.measure().toMillis()
        + 2 * options.lockWaitMillisMax() // the wait for a late first handoff, then one last lock
        + JOIN_GRACE_MILLIS;
    for (Thread t : threads) {
      t.join(Math.max(1, joinDeadline - System.currentTimeMillis()));
      if (t.isAlive()) {
        failure.compareAndSet(null, new IllegalStateException(t.getName() + " did not finish by the join deadline"));
      }
    }
    String nodes = "n1..n" + options.nodes();
    Throwable f = failure.get();
    if (f != null) {
      return CaseResult.failed(backend.name(), VersusCase.CONTENDED_HANDOFF, nodes, f.toString());
    }
    if (violations.get() > 0) {
      return CaseResult.failed(
          backend.name(), VersusCase.CONTENDED_HANDOFF, nodes, violations.get() + " mutual-exclusion violations");
    }
    if (handoffNanos.getTotalCount() == 0) {
      return CaseResult.failed(backend.name(), VersusCase.CONTENDED_HANDOFF, nodes,
          "no handoff within " + options.lockWaitMillisMax() + " ms after the window's end");
    }
    double seconds = (closedAt() - windowStart) / 1e9;
    String note = String.format(
        "%d acquisitions, %d by another node than the last holder; acquire wait p50 %.0f µs; 0 exclusion violations",
        acquisitions.get(),
        handoffNanos.getTotalCount(),
        acquireWaitNanos.getValueAtPercentile(50) / 1_000.0);
    return CaseResult.measured(
        backend.name(), VersusCase.CONTENDED_HANDOFF, nodes, handoffNanos, handoffNanos.getTotalCount() / seconds, note);
  }

  private void loop(int node) {
    LockClient client = backend.node(node);
    try {
      while (!windowClosed(System.nanoTime()) && failure.get() == null) {
        long asked = System.nanoTime();
        LockHandle h = client.lock(lockName, true);
        long acquired = System.nanoTime();
        onAcquired(node, asked, acquired);
        inside.decrementAndGet();
        lastReleaseStart.set(System.nanoTime());
        client.unlock(h);
      }
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    }
  }

  private void onAcquired(int node, long asked, long acquired) {
    if (inside.incrementAndGet() != 1) {
      violations.incrementAndGet();
    }
    int previous = lastHolder.getAndSet(node);
    synchronized (this) {
      if (acquired < windowStart || acquired >= closedAt) {
        return;
      }
      acquisitions.incrementAndGet();
      Latencies.record(acquireWaitNanos, acquired - asked);
      if (previous != -1 && previous != node) {
        Latencies.record(handoffNanos, acquired - lastReleaseStart.get());
        if (acquired >= windowEnd) {
          closedAt = acquired + 1; // the first handoff, late: the window ends with it
        }
      }
    }
  }

  /** Whether no acquisition at {@code now} or later can count any more. */
  private synchronized boolean windowClosed(long now) {
    if (closedAt == Long.MAX_VALUE && now >= windowEnd && handoffNanos.getTotalCount() > 0) {
      closedAt = windowEnd;
    }
    return now >= closedAt || now >= hardEnd;
  }

  private synchronized long closedAt() {
    return closedAt == Long.MAX_VALUE ? hardEnd : closedAt;
  }
}
