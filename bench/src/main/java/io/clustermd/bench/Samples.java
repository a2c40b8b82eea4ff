package io.clustermd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every benchmark reports beside its latencies: quantiles of sorted samples, and the machine's load. */
public final class Samples {

  private Samples() {}

  /** The sample at quantile {@code q} (0..1) of {@code sorted} (ascending, not empty), in its own unit. */
  public static long quantile(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }

  /** The first three fields of {@code /proc/loadavg} (1, 5 and 15 minutes), or "unknown". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
