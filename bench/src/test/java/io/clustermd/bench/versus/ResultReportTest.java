package io.clustermd.bench.versus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bench.versus.VersusResults.RoundResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ResultReportTest {

  private static CaseResult row(String backend, VersusCase c, double p50, double p99, double ops) {
    return new CaseResult(backend, c, "n1", p50, p99, ops, 100, "", null);
  }

  private static VersusResults results(List<RoundResult> rounds) {
    VersusOptions options = VersusOptions.of(Duration.ZERO, Duration.ofSeconds(1)).withRounds(3);
    return new VersusResults(options, rounds, Map.of(), "1.00 1.00 1.00", "1.00 1.00 1.00", List.of());
  }

  @Test
  @DisplayName("clustermd rows are compared with zookeeper's row of the same case and checked against issue 3's targets")
  void ratiosAndTargets() {
    ResultReport report = new ResultReport(results(List.of(
        new RoundResult(1, row("zookeeper", VersusCase.LOCAL_MASTER, 1500, 9000, 600)),
        new RoundResult(1, row("zookeeper", VersusCase.REMOTE_MASTER, 1200, 9000, 700)),
        new RoundResult(1, row("zookeeper", VersusCase.CONTENDED_HANDOFF, 1400, 9000, 500)),
        new RoundResult(1, row("clustermd", VersusCase.LOCAL_MASTER, 60, 200, 15000)),
        new RoundResult(1, row("clustermd", VersusCase.REMOTE_MASTER, 300, 900, 3000)),
        new RoundResult(1, row("clustermd", VersusCase.CONTENDED_HANDOFF, 500, 2000, 999)))));
    List<CaseResult> rows = report.rows();

    assertEquals(25.0, report.ratioToReference(rows.get(3)).orElseThrow(), 1e-9);
    assertEquals("missed", report.targetStatus(rows.get(3)), "(a) needs p50 < 50 µs");
    assertEquals(4.0, report.ratioToReference(rows.get(4)).orElseThrow(), 1e-9);
    assertEquals("met", report.targetStatus(rows.get(4)), "(b) 0.3 ms and 4x");
    assertEquals(1.998, report.ratioToReference(rows.get(5)).orElseThrow(), 1e-9);
    assertEquals("missed", report.targetStatus(rows.get(5)), "(c) needs 2x the handoff rate");
    assertEquals("", report.targetStatus(rows.get(0)), "zookeeper has no target");
    assertEquals("", report.targetStatus(row("clustermd-local", VersusCase.LOCAL_MASTER, 60, 200, 15000)),
        "the local lockspace is the floor, not the target's subject");
  }

  @Test
  @DisplayName("(b) is held against 1.5 times the same run's bare round trip (r) when there is one")
  void remoteMasterInRoundTrips() {
    ResultReport slowTransport = new ResultReport(results(List.of(
        new RoundResult(1, row("zookeeper", VersusCase.REMOTE_MASTER, 30000, 90000, 30)),
        new RoundResult(1, row("clustermd", VersusCase.TRANSPORT_ROUND_TRIP, 2000, 9000, 500)),
        new RoundResult(1, row("clustermd", VersusCase.REMOTE_MASTER, 2900, 9000, 340)))));
    CaseResult b = slowTransport.rows().get(2);
    assertEquals(1.45, slowTransport.inRoundTrips(b).orElseThrow(), 1e-9);
    assertEquals("met", slowTransport.targetStatus(b), "2.9 ms < 1.5 x 2 ms, and 10x zookeeper");
    assertEquals("", slowTransport.targetStatus(slowTransport.rows().get(1)), "(r) is a unit, not a target");
    assertTrue(slowTransport.text().contains("p50 = 1.45 round trips (r)"), slowTransport.text());

    ResultReport over = new ResultReport(results(List.of(
        new RoundResult(1, row("zookeeper", VersusCase.REMOTE_MASTER, 30000, 90000, 30)),
        new RoundResult(1, row("clustermd", VersusCase.TRANSPORT_ROUND_TRIP, 2000, 9000, 500)),
        new RoundResult(1, row("clustermd", VersusCase.REMOTE_MASTER, 3100, 9000, 320)))));
    assertEquals("missed", over.targetStatus(over.rows().get(2)), "3.1 ms is over 1.5 round trips");

    ResultReport noTrip = new ResultReport(results(List.of(
        new RoundResult(1, row("zookeeper", VersusCase.REMOTE_MASTER, 30000, 90000, 30)),
        new RoundResult(1, row("clustermd", VersusCase.REMOTE_MASTER, 2900, 9000, 340)))));
    assertEquals("missed", noTrip.targetStatus(noTrip.rows().get(1)), "without (r) the bound is 0.4 ms");
  }

  @Test
  @DisplayName("with several rounds a row is the median of each column, and one failed round fails the row")
  void mediansOverRounds() {
    VersusResults results = results(List.of(
        new RoundResult(1, row("zookeeper", VersusCase.LOCAL_MASTER, 1000, 5000, 900)),
        new RoundResult(1, row("clustermd-local", VersusCase.LOCAL_MASTER, 10, 40, 50000)),
        new RoundResult(2, row("zookeeper", VersusCase.LOCAL_MASTER, 3000, 4000, 300)),
        new RoundResult(2, CaseResult.failed("clustermd-local", VersusCase.LOCAL_MASTER, "n1", "timeout")),
        new RoundResult(3, row("zookeeper", VersusCase.LOCAL_MASTER, 2000, 9000, 500)),
        new RoundResult(3, row("clustermd-local", VersusCase.LOCAL_MASTER, 12, 30, 40000))));

    List<CaseResult> rows = results.medians();

    assertEquals(2, rows.size());
    CaseResult zk = rows.get(0);
    assertEquals(2000, zk.p50Micros());
    assertEquals(5000, zk.p99Micros());
    assertEquals(500, zk.opsPerSecond());
    assertEquals(300, zk.count(), "counts add up over rounds");
    assertEquals("timeout", rows.get(1).failure());
    String text = new ResultReport(results).text();
    assertTrue(text.contains("FAILED: timeout"), text);
  }
}
