package io.clustermd.bench.versus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one run produced.
 *
 * @param options how it measured
 * @param rounds every case of every backend in every round, in the order run
 * @param descriptions what each backend that started ran (name → one line)
 * @param loadBefore {@code /proc/loadavg} when the run began
 * @param loadAfter {@code /proc/loadavg} when it ended
 * @param loadAtEachStart the load average when each backend started ({@code round 1 zookeeper: …})
 */
public record VersusResults(
    VersusOptions options,
    List<RoundResult> rounds,
    Map<String, String> descriptions,
    String loadBefore,
    String loadAfter,
    List<String> loadAtEachStart) {

  /** One case of one backend in one round (1-based). */
  public record RoundResult(int round, CaseResult result) {}

  /** One row per backend and case: the median over rounds of p50, p99 and ops/s. */
  public List<CaseResult> medians() {
    List<CaseResult> rows = new ArrayList<>();
    for (RoundResult r : rounds) {
      if (r.round() == 1) {
        rows.add(median(r.result().backend(), r.result().versusCase()));
      }
    }
    return rows;
  }

  private CaseResult median(String backend, VersusCase c) {
    List<CaseResult> all = rounds.stream()
        .map(RoundResult::result)
        .filter(r -> r.backend().equals(backend) && r.versusCase() == c)
        .toList();
    Optional<CaseResult> failed = all.stream().filter(r -> !r.ok()).findFirst();
    if (failed.isPresent()) {
      return failed.get();
    }
    CaseResult first = all.get(0);
    return new CaseResult(
        backend,
        c,
        first.node(),
        median(all.stream().mapToDouble(CaseResult::p50Micros).toArray()),
        median(all.stream().mapToDouble(CaseResult::p99Micros).toArray()),
        median(all.stream().mapToDouble(CaseResult::opsPerSecond).toArray()),
        all.stream().mapToLong(CaseResult::count).sum(),
        first.note(),
        null);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
