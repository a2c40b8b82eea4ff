package io.clustermd.bench.versus;

import io.clustermd.bench.versus.LockServiceBackend.LockClient;
import io.clustermd.bench.versus.LockServiceBackend.LockHandle;
import io.clustermd.bench.versus.LockServiceBackend.Placement;
import org.HdrHistogram.Histogram;

/**
 * Cases (a) and (b): one thread on one node locks (EX) and unlocks the same name, over and over,
 * with nobody else asking. One sample is the whole pair, lock call to unlock return, as an
 * application waiting for each completion sees it; ops/s is that client's serial rate. The window
 * holds at least one sample: on a starved machine it ends with the first pair after its end.
 */
final class UncontendedProbe {

  private UncontendedProbe() {}

  static CaseResult run(LockServiceBackend backend, VersusCase c, String lockName, VersusOptions options)
      throws Exception {
    Placement placement = backend.prepare(c, lockName);
    LockClient client = backend.node(placement.node());
    return measure(backend, c, placement.node(), placement.note(), () -> pair(client, lockName), options);
  }

  /**
   * Case (r): the same loop, warm-up and window, over {@link LockServiceBackend.RoundTrip#once}
   * from n1; one sample is one round trip.
   */
  static CaseResult runRoundTrip(LockServiceBackend backend, LockServiceBackend.RoundTrip trip, VersusOptions options)
      throws Exception {
    return measure(backend, VersusCase.TRANSPORT_ROUND_TRIP, 0, trip.note(), trip::once, options);
  }

  /** One sampled operation: a lock+unlock pair, or one round trip. */
  @FunctionalInterface
  private interface Operation {
    void run() throws Exception;
  }

  /** Warms up, then samples {@code op} back to back for the measured window. */
  private static CaseResult measure(LockServiceBackend backend, VersusCase c, int node, String note, Operation op,
      VersusOptions options) throws Exception {
    long warmupEnd = System.nanoTime() + options.warmup().toNanos();
    while (System.nanoTime() < warmupEnd) {
      op.run();
    }

    Histogram nanos = Latencies.newHistogram();
    long start = System.nanoTime();
    long end = start + options.measure().toNanos();
    long now = start;
    do { // at least one sample, however slow the machine
      long before = now;
      op.run();
      now = System.nanoTime();
      Latencies.record(nanos, now - before);
    } while (now < end);
    double seconds = (now - start) / 1e9;
    return CaseResult.measured(backend.name(), c, NodeNames.of(node), nanos, nanos.getTotalCount() / seconds, note);
  }

  private static void pair(LockClient client, String lockName) throws Exception {
    LockHandle h = client.lock(lockName, true);
    client.unlock(h);
  }
}
