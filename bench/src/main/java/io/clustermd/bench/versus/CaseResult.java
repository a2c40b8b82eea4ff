package io.clustermd.bench.versus;

import org.HdrHistogram.Histogram;

/**
 * One measured case of one backend in one round (or the median over rounds).
 *
 * @param backend the backend's name
 * @param versusCase the case
 * @param node where it was measured ({@code n1 (leader)}, {@code n1..n3}, …)
 * @param p50Micros median latency: lock+unlock for (a) and (b), handoff for (c)
 * @param p99Micros 99th percentile of the same
 * @param opsPerSecond lock+unlock pairs per second of one client for (a) and (b); lock transfers
 *     between nodes per second for (c)
 * @param count measured operations (pairs, or transfers)
 * @param note what the numbers mean for this backend, and anything that went wrong
 * @param failure why the case failed, or null
 */
public record CaseResult(
    String backend,
    VersusCase versusCase,
    String node,
    double p50Micros,
    double p99Micros,
    double opsPerSecond,
    long count,
    String note,
    String failure) {

  static CaseResult measured(
      String backend, VersusCase c, String node, Histogram nanos, double opsPerSecond, String note) {
    return new CaseResult(
        backend,
        c,
        node,
        nanos.getValueAtPercentile(50) / 1_000.0,
        nanos.getValueAtPercentile(99) / 1_000.0,
        opsPerSecond,
        nanos.getTotalCount(),
        note,
        null);
  }

  static CaseResult failed(String backend, VersusCase c, String node, String why) {
    return new CaseResult(backend, c, node, Double.NaN, Double.NaN, Double.NaN, 0, "", why);
  }

  public boolean ok() {
    return failure == null;
  }
}
