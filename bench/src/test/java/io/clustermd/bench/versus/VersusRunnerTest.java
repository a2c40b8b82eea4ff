package io.clustermd.bench.versus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the real thing: a 3-server ZooKeeper ensemble and the local lockspace, each case
 * measured for one second. It proves the backends and the runner work end to end, not how fast.
 */
class VersusRunnerTest {

  @BeforeAll
  static void quietZooKeeper() {
    VersusLogging.configure("WARN", "OFF");
  }

  @Test
  @DisplayName("zookeeper and clustermd-local measure (a), (b) and (c) for 1 s each, with a table, a CSV and a PNG")
  void smokeRun(@TempDir Path out) throws Exception {
    VersusOptions options = VersusOptions.of(Duration.ZERO, Duration.ofSeconds(1)).withLockWaitMillisMax(20_000);
    StringWriter progress = new StringWriter();

    VersusResults results = new VersusRunner(options, new PrintWriter(progress))
        .run(List.of(ZooKeeperBackend.NAME, LocalLockspaceBackend.NAME));

    List<CaseResult> rows = results.medians();
    assertEquals(6, rows.size(), progress.toString());
    for (CaseResult r : rows) {
      assertTrue(r.ok(), r.backend() + " " + r.versusCase() + ": " + r.failure());
      assertTrue(r.count() > 0, r.backend() + " " + r.versusCase() + " measured nothing");
      assertTrue(r.p50Micros() > 0 && r.p99Micros() >= r.p50Micros(), r.toString());
    }
    assertTrue(rows.get(0).note().contains("leader"), rows.get(0).note());
    assertTrue(rows.get(1).note().contains("follower"), rows.get(1).note());

    ResultReport report = new ResultReport(results);
    String text = report.text();
    assertTrue(text.contains("ZooKeeper 3.9"), text);
    assertEquals(1 + 6 + 6, report.csv().lines().count(), report.csv());

    Path png = out.resolve("versus.png");
    VersusChart.write(results, rows, png);
    assertTrue(Files.size(png) > 1_000, "the chart is a real PNG");
  }

  @Test
  @DisplayName("the command line refuses an unknown backend with exit code 2 before starting anything")
  void unknownBackend() {
    StringWriter err = new StringWriter();
    var cl = VersusMain.commandLine();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    assertEquals(2, cl.execute("--backends", "zookeeper,etcd"));
    assertTrue(err.toString().contains("unknown backend 'etcd'"), err.toString());
    assertFalse(err.toString().contains("Exception"), err.toString());
  }
}
