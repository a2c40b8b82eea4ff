package io.clustermd.bench.versus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * The PNG next to the table: on the left p50 and p99 per case and backend (log axis, since
 * ZooKeeper and a local lock are two to three orders of magnitude apart); on the right the
 * serial rate of (a) and (b) and the handoff rate of (c).
 */
final class VersusChart {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 560;

  private VersusChart() {}

  static void write(VersusResults results, List<CaseResult> rows, Path png) throws IOException {
    Files.createDirectories(png.toAbsolutePath().getParent());
    String subtitle = "load avg before " + results.loadBefore() + ", after " + results.loadAfter();
    List<CategoryChart> charts = List.of(latencyChart(results, rows, subtitle), rateChart(results, rows, subtitle));
    BitmapEncoder.saveBitmap(charts, 1, charts.size(), png.toString(), BitmapFormat.PNG);
  }

  private static CategoryChart latencyChart(VersusResults results, List<CaseResult> rows, String subtitle) {
    CategoryChart chart = styled(new CategoryChartBuilder()
        .width(WIDTH).height(HEIGHT)
        .title("Lock latency, 3 nodes (" + subtitle + ")")
        .xAxisTitle("case: (a) local master, (r) bare Akka round trip, (b) remote master, (c) contended handoff")
        .yAxisTitle("µs (log scale)")
        .build());
    List<String> categories = new ArrayList<>();
    for (VersusCase c : results.options().cases()) {
      String what = c == VersusCase.CONTENDED_HANDOFF ? " handoff" : "";
      categories.add("(" + c.letter() + ")" + what + " p50");
      categories.add("(" + c.letter() + ")" + what + " p99");
    }
    for (String backend : backends(rows)) {
      List<Double> values = new ArrayList<>();
      for (VersusCase c : results.options().cases()) {
        Optional<CaseResult> r = row(rows, backend, c);
        values.add(r.map(CaseResult::p50Micros).orElse(null));
        values.add(r.map(CaseResult::p99Micros).orElse(null));
      }
      chart.addSeries(backend, categories, values);
    }
    chart.getStyler().setYAxisMin(decadeBelow(rows.stream().filter(CaseResult::ok)
        .mapToDouble(r -> Math.min(r.p50Micros(), r.p99Micros())).min().orElse(1)));
    return chart;
  }

  private static CategoryChart rateChart(VersusResults results, List<CaseResult> rows, String subtitle) {
    CategoryChart chart = styled(new CategoryChartBuilder()
        .width(WIDTH).height(HEIGHT)
        .title("Rate, 3 nodes (" + subtitle + ")")
        .xAxisTitle("(a), (b): one client's lock+unlock pairs/s; (r): round trips/s; (c): lock transfers/s")
        .yAxisTitle("per second (log scale)")
        .build());
    List<String> categories = new ArrayList<>();
    for (VersusCase c : results.options().cases()) {
      categories.add("(" + c.letter() + ")" + switch (c) {
        case CONTENDED_HANDOFF -> " handoffs/s";
        case TRANSPORT_ROUND_TRIP -> " round trips/s";
        default -> " pairs/s";
      });
    }
    for (String backend : backends(rows)) {
      List<Double> values = new ArrayList<>();
      for (VersusCase c : results.options().cases()) {
        values.add(row(rows, backend, c).map(CaseResult::opsPerSecond).orElse(null));
      }
      chart.addSeries(backend, categories, values);
    }
    chart.getStyler().setYAxisMin(decadeBelow(rows.stream().filter(CaseResult::ok)
        .mapToDouble(CaseResult::opsPerSecond).min().orElse(1)));
    return chart;
  }

  /**
   * The power of ten at or below {@code v}: bars on a log axis start at the axis minimum, and
   * XChart refuses a log axis whose range would include 0.
   */
  static double decadeBelow(double v) {
    return v > 0 ? Math.pow(10, Math.floor(Math.log10(v))) : 1;
  }

  private static CategoryChart styled(CategoryChart chart) {
    chart.getStyler()
        .setYAxisLogarithmic(true)
        .setLegendPosition(LegendPosition.OutsideS)
        .setLegendLayout(LegendLayout.Horizontal)
        .setDecimalPattern("#,##0.#")
        .setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
    chart.getStyler().setYAxisDecimalPattern("#,##0.#");
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsRotation(90);
    chart.getStyler().setLabelsFontColorAutomaticEnabled(true);
    return chart;
  }

  /** Backends with at least one measured case, in the order they ran. */
  private static Set<String> backends(List<CaseResult> rows) {
    Set<String> names = new LinkedHashSet<>();
    rows.stream().filter(CaseResult::ok).forEach(r -> names.add(r.backend()));
    return names;
  }

  private static Optional<CaseResult> row(List<CaseResult> rows, String backend, VersusCase c) {
    return rows.stream().filter(r -> r.ok() && r.backend().equals(backend) && r.versusCase() == c).findFirst();
  }
}
