package io.clustermd.bitmap.intent;

import io.clustermd.bitmap.format.SectorRange;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production shell around a {@link WriteIntentBitmap}: one scheduler thread feeds {@link
 * WriteIntentBitmap#daemonTick} with {@link System#nanoTime()}, and every call from the data path
 * is serialised with it on one lock. The core decides whether a sweep is due; this class only
 * wakes it often enough (a quarter of the period) and logs what it did.
 */
public final class ScheduledBitmapDaemon implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ScheduledBitmapDaemon.class);

  /** close() waits at most this long for a sweep in progress. */
  public static final long CLOSE_WAIT_MILLIS_MAX = 10_000;

  private final WriteIntentBitmap bitmap;
  private final ScheduledExecutorService scheduler;
  private final Object lock = new Object();

  private ScheduledBitmapDaemon(WriteIntentBitmap bitmap, Duration wake) {
    this.bitmap = bitmap;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bitmap-daemon-" + bitmap.slot());
              t.setDaemon(true);
              return t;
            });
    long nanos = Math.max(1_000_000, wake.toNanos());
    scheduler.scheduleWithFixedDelay(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Starts sweeping {@code bitmap} every {@code daemonSleep} (woken every quarter period). */
  public static ScheduledBitmapDaemon start(WriteIntentBitmap bitmap, Duration daemonSleep) {
    return new ScheduledBitmapDaemon(bitmap, daemonSleep.dividedBy(4));
  }

  public int startWrite(SectorRange range) {
    synchronized (lock) {
      return bitmap.startWrite(range);
    }
  }

  public void endWrite(SectorRange range, WriteOutcome outcome) {
    synchronized (lock) {
      bitmap.endWrite(range, outcome);
    }
  }

  /** Runs {@code action} on the bitmap under the lock (copyFromSlot, region API, queries). */
  public <T> T withBitmap(Function<WriteIntentBitmap, T> action) {
    synchronized (lock) {
      return action.apply(bitmap);
    }
  }

  private void tick() {
    DaemonReport r;
    try {
      synchronized (lock) {
        r = bitmap.daemonTick(System.nanoTime());
      }
    } catch (RuntimeException e) {
      log.warn("bitmap.daemon slot={} error={} reason=sweep-failed-will-retry", bitmap.slot(),
          e.getMessage());
      return;
    }
    if (r.swept() && (r.clearedChunks() > 0 || r.sectorsWritten() > 0)) {
      log.debug("bitmap.daemon slot={} cleared={} sectors={} reason={}", bitmap.slot(),
          r.clearedChunks(), r.sectorsWritten(), r.reason());
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      if (!scheduler.awaitTermination(CLOSE_WAIT_MILLIS_MAX, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "bitmap daemon for " + bitmap.slot() + " did not stop within "
                + CLOSE_WAIT_MILLIS_MAX + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
