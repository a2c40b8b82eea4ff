package io.clustermd.bench.broadcast;

import io.clustermd.bench.Samples;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.actor.ClusterLockspace;
import io.clustermd.dlm.actor.LocalDlmCluster;
import io.clustermd.dlm.api.LockspaceOps;
import io.clustermd.dlm.core.cluster.Slot;
import io.clustermd.messaging.Communicator;
import io.clustermd.messaging.message.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * md-cluster broadcast latency (issue 4): for each cluster size, N Akka ActorSystems on loopback in
 * this JVM, the DLM, one array lockspace (LVB 64) and a {@link Communicator} per node; node 1 sends
 * METADATA_UPDATED messages one after another, each timed from {@code send} to its completion
 * (every other node processed it and the token was released).
 *
 * <pre>java -Xms2g -Xmx2g -cp bench/target/benchmarks.jar io.clustermd.bench.broadcast.BroadcastLatency --nodes 2,3,5,8</pre>
 */
@Command(name = "broadcast-latency", mixinStandardHelpOptions = true,
    description = "Broadcast latency (send to return) of md-cluster messaging over the distributed DLM.")
public final class BroadcastLatency implements java.util.concurrent.Callable<Integer> {

  private static final String ARRAY = "4c1d2a7b-9e3f-4a51-8b6c-0d2e4f6a8c1e";

  @Option(names = "--nodes", split = ",", defaultValue = "2,3,5,8", description = "Cluster sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--messages", defaultValue = "1000", description = "Measured broadcasts per size (default: ${DEFAULT-VALUE}).")
  int messages;

  /**
   * The JIT needs about a thousand broadcasts to compile the path: 3 nodes gave p50 2.50 ms after
   * 100 unmeasured broadcasts and 1.65 ms after 1,000 (bench/RESULTS.md, 2026-11-23 morning).
   */
  @Option(names = "--warmup", defaultValue = "1000", description = "Unmeasured broadcasts first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--profile", defaultValue = "default", description = "Failure-detection profile (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(names = "--akka", defaultValue = "",
      description = "HOCON overrides for every node, e.g. dispatcher settings (default: none).")
  String akka;

  @Option(names = "--timeout-seconds", defaultValue = "120", description = "Bound on every wait (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--out", defaultValue = "bench/results", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path out;

  /** One cluster size's result. */
  record Row(int nodes, int messages, double p50Millis, double p90Millis, double p99Millis, double maxMillis,
      double perSecond, String load) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new BroadcastLatency()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int n : sizes) {
      if (n < 2) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--nodes: a broadcast needs at least 2 nodes, not " + n);
      }
      Row r = measure(n);
      rows.add(r);
      System.out.println(format(r));
    }
    write(rows);
    return 0;
  }

  private Row measure(int n) throws Exception {
    Duration wait = Duration.ofSeconds(timeoutSeconds);
    try (LocalDlmCluster cluster = LocalDlmCluster.start(n, profile, akka, wait)) {
      List<CompletableFuture<ClusterLockspace>> joins = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        joins.add(cluster.dlm(i).join(ARRAY, 64, LockspaceOps.NONE).toCompletableFuture());
      }
      List<ClusterLockspace> spaces = new ArrayList<>();
      for (CompletableFuture<ClusterLockspace> j : joins) {
        spaces.add(j.get(timeoutSeconds, TimeUnit.SECONDS));
      }
      long deadline = System.nanoTime() + wait.toNanos();
      while (!spaces.stream().allMatch(s -> s.slots().size() == n)) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(n + " nodes: the lockspace did not reach " + n + " members within " + wait);
        }
        Thread.sleep(50);
      }
      List<Communicator> comms = new ArrayList<>();
      try {
        for (ClusterLockspace s : spaces) {
          int dlmSlot = s.slots().stream().filter(x -> x.node().equals(s.self())).mapToInt(Slot::slot).findFirst()
              .orElseThrow(() -> new IllegalStateException(s.self() + " has no slot in " + s.slots()));
          Communicator c = new Communicator(s, MdSlot.fromDlmSlotNumber(dlmSlot), Math.max(n, 8),
              e -> CompletableFuture.completedFuture(null), Communicator.Options.defaults());
          comms.add(c);
          c.join().toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
          c.ready().toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
        }
        Communicator sender = comms.get(0);
        for (int i = 0; i < warmup; i++) {
          sender.send(new Message.MetadataUpdated(i % 8)).toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
        }
        long[] nanos = new long[messages];
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
          long t0 = System.nanoTime();
          sender.send(new Message.MetadataUpdated(i % 8)).toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
          nanos[i] = System.nanoTime() - t0;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(nanos);
        return new Row(n, messages, Samples.quantile(nanos, 0.50) / 1e6,
            Samples.quantile(nanos, 0.90) / 1e6, Samples.quantile(nanos, 0.99) / 1e6,
            nanos[messages - 1] / 1e6, messages / seconds, Samples.loadAverage());
      } finally {
        comms.forEach(Communicator::close);
      }
    }
  }



  private static String format(Row r) {
    return String.format(Locale.ROOT, "| %d | %d | %.2f | %.2f | %.2f | %.2f | %.0f | %s |", r.nodes(), r.messages(),
        r.p50Millis(), r.p90Millis(), r.p99Millis(), r.maxMillis(), r.perSecond(), r.load());
  }

  private void write(List<Row> rows) throws IOException {
    Files.createDirectories(out);
    StringBuilder md = new StringBuilder("| nodes | broadcasts | p50 ms | p90 ms | p99 ms | max ms | broadcasts/s | load avg after |\n"
        + "|---:|---:|---:|---:|---:|---:|---:|---|\n");
    rows.forEach(r -> md.append(format(r)).append('\n'));
    if (!akka.isBlank()) {
      md.append("\nAkka overrides: `").append(akka.replace('\n', ' ').trim()).append("`\n");
    }
    Files.writeString(out.resolve("broadcast.md"), md);
    XYChart chart = new XYChartBuilder().width(800).height(500)
        .title("md-cluster broadcast latency (send to return), profile " + profile)
        .xAxisTitle("nodes").yAxisTitle("ms").build();
    double[] x = rows.stream().mapToDouble(Row::nodes).toArray();
    chart.addSeries("p50", x, rows.stream().mapToDouble(Row::p50Millis).toArray());
    chart.addSeries("p99", x, rows.stream().mapToDouble(Row::p99Millis).toArray());
    BitmapEncoder.saveBitmap(chart, out.resolve("broadcast.png").toString(), BitmapFormat.PNG);
    System.out.println("wrote " + out.resolve("broadcast.md") + ", broadcast.png");
  }
}
