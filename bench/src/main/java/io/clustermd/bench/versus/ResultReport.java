package io.clustermd.bench.versus;

import io.clustermd.bench.versus.VersusResults.RoundResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The results as a plain-text table, a Markdown table and a CSV. Every clustermd row is compared
 * with ZooKeeper's row of the same case, and checked against the target for that case.
 */
public final class ResultReport {

  /** The backend every other one is compared with. */
  static final String REFERENCE = ZooKeeperBackend.NAME;

  /** Issue 3's targets, for the distributed backend. */
  private static final double TARGET_A_P50_MICROS = 50;
  /** (b) in round trips of row (r), measured in the same run. */
  private static final double TARGET_B_ROUND_TRIPS = 1.5;
  /** (b) when no (r) row was measured: the estimate of 1.5 round trips on this machine. */
  private static final double TARGET_B_P50_MICROS = 400;
  private static final double TARGET_B_SPEEDUP = 3;
  private static final double TARGET_C_RATE_RATIO = 2;

  private static final String[] HEADER = {
    "backend", "case", "node", "p50 µs", "p99 µs", "ops/s", "vs zookeeper", "issue target"
  };

  private final VersusResults results;
  private final List<CaseResult> rows;

  public ResultReport(VersusResults results) {
    this.results = results;
    this.rows = results.medians();
  }

  public List<CaseResult> rows() {
    return rows;
  }

  /** The table with its header lines and notes, as printed and saved to {@code versus.txt}. */
  public String text() {
    StringBuilder b = new StringBuilder(preamble());
    List<String[]> cells = new ArrayList<>();
    cells.add(HEADER);
    rows.forEach(r -> cells.add(cells(r)));
    int[] width = new int[HEADER.length];
    for (String[] row : cells) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : cells) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        boolean numeric = i >= 3 && i <= 5;
        String f = "%" + (numeric ? "" : "-") + width[i] + "s";
        line.append(String.format(f, row[i])).append(i + 1 < row.length ? "  " : "");
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    b.append(notes());
    return b.toString();
  }

  /** The same table in Markdown, for RESULTS.md. */
  public String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("| ").append(String.join(" | ", HEADER)).append(" |\n");
    b.append("|---|---|---|---:|---:|---:|---|---|\n");
    for (CaseResult r : rows) {
      b.append("| ").append(String.join(" | ", cells(r))).append(" |\n");
    }
    return b.toString();
  }

  /** Every round's rows, then the medians (round {@code median}). */
  public String csv() {
    StringBuilder b = new StringBuilder(
        "round,backend,case,node,p50_us,p99_us,ops_per_s,count,vs_zookeeper,target,target_status,note,failure\n");
    for (RoundResult r : results.rounds()) {
      b.append(csvLine(Integer.toString(r.round()), r.result()));
    }
    for (CaseResult r : rows) {
      b.append(csvLine("median", r));
    }
    return b.toString();
  }

  /** {@code p50 8.2 µs, p99 49 µs, 104,000 ops/s} or the failure. */
  static String oneLine(CaseResult r) {
    if (!r.ok()) {
      return "FAILED: " + r.failure();
    }
    return "p50 " + micros(r.p50Micros()) + " µs, p99 " + micros(r.p99Micros()) + " µs, " + rate(r.opsPerSecond())
        + (r.versusCase() == VersusCase.CONTENDED_HANDOFF ? " handoffs/s" : " ops/s");
  }

  /**
   * How much better than ZooKeeper: its p50 over this p50 for (a) and (b), this rate over its rate
   * for (c).
   */
  Optional<Double> ratioToReference(CaseResult r) {
    Optional<CaseResult> ref = rows.stream()
        .filter(x -> x.backend().equals(REFERENCE) && x.versusCase() == r.versusCase() && x.ok())
        .findFirst();
    if (ref.isEmpty() || !r.ok()) {
      return Optional.empty();
    }
    return Optional.of(
        r.versusCase() == VersusCase.CONTENDED_HANDOFF
            ? r.opsPerSecond() / ref.get().opsPerSecond()
            : ref.get().p50Micros() / r.p50Micros());
  }

  /**
   * {@code met}, {@code missed}, {@code no zookeeper row}, or empty: the targets are the
   * distributed backend's; the local lockspace is only its floor.
   */
  String targetStatus(CaseResult r) {
    if (!r.backend().equals(ClustermdClusterBackend.NAME) || !r.ok()
        || r.versusCase() == VersusCase.TRANSPORT_ROUND_TRIP) {
      return "";
    }
    Optional<Double> ratio = ratioToReference(r);
    boolean met;
    switch (r.versusCase()) {
      case LOCAL_MASTER -> met = r.p50Micros() < TARGET_A_P50_MICROS;
      case REMOTE_MASTER -> {
        if (ratio.isEmpty()) {
          return "no zookeeper row";
        }
        double limit = roundTrip(r.backend()).map(rt -> TARGET_B_ROUND_TRIPS * rt.p50Micros())
            .orElse(TARGET_B_P50_MICROS);
        met = r.p50Micros() < limit && ratio.get() >= TARGET_B_SPEEDUP;
      }
      default -> {
        if (ratio.isEmpty()) {
          return "no zookeeper row";
        }
        met = ratio.get() >= TARGET_C_RATE_RATIO;
      }
    }
    return met ? "met" : "missed";
  }

  /** The bare round trip (r) measured on {@code backend} in this run, if any. */
  Optional<CaseResult> roundTrip(String backend) {
    return rows.stream()
        .filter(x -> x.backend().equals(backend) && x.versusCase() == VersusCase.TRANSPORT_ROUND_TRIP && x.ok())
        .findFirst();
  }

  /** (b)'s p50 in round trips of the same backend's (r) row. */
  Optional<Double> inRoundTrips(CaseResult r) {
    if (!r.ok() || r.versusCase() != VersusCase.REMOTE_MASTER) {
      return Optional.empty();
    }
    return roundTrip(r.backend()).map(rt -> r.p50Micros() / rt.p50Micros());
  }

  private String preamble() {
    VersusOptions o = results.options();
    StringBuilder b = new StringBuilder();
    b.append(String.format(
        "Lock service vs ZooKeeper/Curator: %d nodes; each case %d s warm-up + %d s measured; %d round(s)%s%n",
        o.nodes(), o.warmup().toSeconds(), o.measure().toSeconds(), o.rounds(),
        o.rounds() > 1 ? ", rows are medians over rounds" : ""));
    b.append("Load average (1/5/15 min): before ").append(results.loadBefore())
        .append(", after ").append(results.loadAfter())
        .append("; at each backend's start: ").append(String.join("; ", results.loadAtEachStart())).append('\n');
    b.append("Java ").append(System.getProperty("java.version")).append(", ")
        .append(Runtime.getRuntime().availableProcessors()).append(" CPUs\n");
    for (Map.Entry<String, String> e : results.descriptions().entrySet()) {
      b.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
    }
    b.append("p50/p99: one lock+unlock pair for (a) and (b); for (c) one handoff, from the holder starting unlock\n")
        .append("to the next node returning from lock. ops/s: one client's serial pairs/s for (a) and (b);\n")
        .append("lock transfers between nodes per second for (c). vs zookeeper: its p50 / this p50 for (a), (b);\n")
        .append("this rate / its rate for (c). Targets (issue 3, for the distributed backend): ")
        .append("(a) p50 < 50 µs; (b) p50 < 1.5 bare Akka round trips (row r, same run; 0.4 ms without it)\n")
        .append("and >= 3x; (c) >= 2x. (r): one message n1 -> n2 -> n1, no lock service code, same waiting.\n\n");
    return b.toString();
  }

  private String notes() {
    StringBuilder b = new StringBuilder("\nNotes:\n");
    for (CaseResult r : rows) {
      String text = r.ok() ? r.note() : "FAILED: " + r.failure();
      Optional<Double> trips = inRoundTrips(r);
      if (trips.isPresent()) {
        text = String.format(Locale.ROOT, "p50 = %.2f round trips (r); ", trips.get()) + text;
      }
      if (!text.isEmpty()) {
        b.append("  ").append(r.backend()).append(" (").append(r.versusCase().letter()).append("): ")
            .append(text).append('\n');
      }
    }
    return b.toString();
  }

  private String[] cells(CaseResult r) {
    if (!r.ok()) {
      return new String[] {r.backend(), r.versusCase().label(), r.node(), "-", "-", "-", "-", "FAILED"};
    }
    String rateUnit = r.versusCase() == VersusCase.CONTENDED_HANDOFF ? " handoffs" : "";
    String vs = r.backend().equals(REFERENCE)
        ? "1x"
        : ratioToReference(r)
            .map(x -> String.format(Locale.ROOT, x >= 100 ? "%,.0fx %s" : "%.1fx %s", x,
                r.versusCase() == VersusCase.CONTENDED_HANDOFF ? "rate" : "faster"))
            .orElse("-");
    String status = targetStatus(r);
    return new String[] {
      r.backend(),
      r.versusCase().label(),
      r.node(),
      micros(r.p50Micros()),
      micros(r.p99Micros()),
      rate(r.opsPerSecond()) + rateUnit,
      vs,
      status.isEmpty() ? "" : r.versusCase().target() + ": " + status
    };
  }

  private String csvLine(String round, CaseResult r) {
    String[] f = {
      round,
      r.backend(),
      r.versusCase().letter(),
      r.node(),
      r.ok() ? String.format(Locale.ROOT, "%.1f", r.p50Micros()) : "",
      r.ok() ? String.format(Locale.ROOT, "%.1f", r.p99Micros()) : "",
      r.ok() ? String.format(Locale.ROOT, "%.1f", r.opsPerSecond()) : "",
      Long.toString(r.count()),
      ratioToReference(r).map(x -> String.format(Locale.ROOT, "%.2f", x)).orElse(""),
      r.versusCase().target(),
      targetStatus(r),
      r.note(),
      r.failure() == null ? "" : r.failure()
    };
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < f.length; i++) {
      b.append(i > 0 ? "," : "").append(csvField(f[i]));
    }
    return b.append('\n').toString();
  }

  private static String csvField(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }

  static String micros(double v) {
    return v < 100 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String rate(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }
}
