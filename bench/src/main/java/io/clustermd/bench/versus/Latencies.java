package io.clustermd.bench.versus;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/** The one place that sizes latency histograms: 1 ns to 60 s at 3 significant digits. */
final class Latencies {

  private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(60);

  private Latencies() {}

  static Histogram newHistogram() {
    return new Histogram(1, HIGHEST_TRACKABLE_NANOS, 3);
  }

  /** For histograms that several threads record into. */
  static Histogram newSynchronizedHistogram() {
    return new SynchronizedHistogram(1, HIGHEST_TRACKABLE_NANOS, 3);
  }

  /** Records {@code nanos}, clamped into the histogram's range (a 60 s lock is already a failure). */
  static void record(Histogram h, long nanos) {
    h.recordValue(Math.max(1, Math.min(nanos, HIGHEST_TRACKABLE_NANOS)));
  }
}
