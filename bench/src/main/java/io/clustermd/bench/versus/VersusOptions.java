package io.clustermd.bench.versus;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one side-by-side run measures.
 *
 * @param nodes nodes per backend (the issue asks for 3)
 * @param warmup time each case runs before measuring starts
 * @param measure time each case is measured
 * @param cases the cases to run, in order
 * @param rounds how many times every backend is started, measured and stopped; rows report the
 *     median over rounds
 * @param lockWaitMillisMax longest a single lock or unlock may wait before the case fails
 */
public record VersusOptions(
    int nodes, Duration warmup, Duration measure, List<VersusCase> cases, int rounds, long lockWaitMillisMax) {

  public VersusOptions {
    Objects.requireNonNull(warmup, "warmup");
    Objects.requireNonNull(measure, "measure");
    cases = List.copyOf(cases);
    if (nodes < 2) {
      throw new IllegalArgumentException("nodes must be at least 2 (a remote master needs one), not " + nodes);
    }
    if (warmup.isNegative() || measure.isNegative() || measure.isZero()) {
      throw new IllegalArgumentException("warm-up must be >= 0 and measuring time > 0");
    }
    if (cases.isEmpty()) {
      throw new IllegalArgumentException("no case to run");
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be at least 1, not " + rounds);
    }
    if (lockWaitMillisMax < 1) {
      throw new IllegalArgumentException("lockWaitMillisMax must be positive, not " + lockWaitMillisMax);
    }
  }

  /** The setup: 3 nodes, every case, one round, 30 s per lock wait at most. */
  public static VersusOptions of(Duration warmup, Duration measure) {
    return new VersusOptions(3, warmup, measure, List.of(VersusCase.values()), 1, 30_000);
  }

  public VersusOptions withCases(List<VersusCase> newCases) {
    return new VersusOptions(nodes, warmup, measure, newCases, rounds, lockWaitMillisMax);
  }

  public VersusOptions withRounds(int newRounds) {
    return new VersusOptions(nodes, warmup, measure, cases, newRounds, lockWaitMillisMax);
  }

  public VersusOptions withLockWaitMillisMax(long millis) {
    return new VersusOptions(nodes, warmup, measure, cases, rounds, millis);
  }
}
