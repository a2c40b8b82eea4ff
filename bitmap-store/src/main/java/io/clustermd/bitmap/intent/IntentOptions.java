package io.clustermd.bitmap.intent;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link WriteIntentBitmap} behaves.
 *
 * @param daemonSleep the daemon period: an idle chunk's bit is cleared after one to two periods
 *     (md's {@code daemon_sleep}, default 5 s, stored in the bitmap superblock)
 * @param resyncOffsetSectors the md superblock's {@code resync_offset} ({@code recovery_cp}):
 *     dirty chunks found at open that end at or beyond it are NEEDED (must be resynced); -1 (the
 *     unsigned MaxSector) means the array is clean and loaded bits are merely cleared later
 */
public record IntentOptions(Duration daemonSleep, long resyncOffsetSectors) {

  public IntentOptions {
    Objects.requireNonNull(daemonSleep, "daemonSleep");
    if (daemonSleep.isNegative() || daemonSleep.isZero()) {
      throw new IllegalArgumentException("daemon sleep must be positive: " + daemonSleep);
    }
  }

  /** md's default: 5 s, and loaded bits need a resync from sector 0. */
  public static IntentOptions defaults() {
    return new IntentOptions(Duration.ofSeconds(5), 0);
  }
}
