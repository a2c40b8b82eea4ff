package io.clustermd.cli.examine;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** mdadm's small text helpers, reproduced exactly so that our output matches its output. */
public final class MdadmText {

  private MdadmText() {}

  /** Level numbers as mdadm's {@code pers[]} table names them (first match wins). */
  private static final Object[][] LEVELS = {
    {-1, "linear"}, {0, "raid0"}, {1, "raid1"}, {4, "raid4"}, {5, "raid5"}, {6, "raid6"},
    {10, "raid10"}, {-4, "multipath"}, {-5, "faulty"}, {-100, "container"},
  };

  /** RAID5 layouts ({@code r5layout}); RAID6 accepts the same plus the -6 variants. */
  private static final Object[][] R5_LAYOUTS = {
    {0, "left-asymmetric"}, {1, "right-asymmetric"}, {2, "left-symmetric"},
    {3, "right-symmetric"}, {4, "parity-first"}, {5, "parity-last"},
  };

  private static final Object[][] R6_LAYOUTS = {
    {0, "left-asymmetric"}, {1, "right-asymmetric"}, {2, "left-symmetric"},
    {3, "right-symmetric"}, {4, "parity-first"}, {5, "parity-last"}, {8, "ddf-zero-restart"},
    {9, "ddf-N-restart"}, {10, "ddf-N-continue"}, {16, "left-asymmetric-6"},
    {17, "right-asymmetric-6"}, {18, "left-symmetric-6"}, {19, "right-symmetric-6"},
    {20, "parity-first-6"},
  };

  /** RAID0 layouts ({@code r0layout}). */
  private static final Object[][] R0_LAYOUTS = {{1, "original"}, {2, "alternate"}, {0, "dangerous"}};

  static String mapNum(Object[][] table, int value) {
    for (Object[] row : table) {
      if ((Integer) row[0] == value) {
        return (String) row[1];
      }
    }
    return null;
  }

  public static String levelName(int level) {
    String s = mapNum(LEVELS, level);
    return s == null ? "-unknown-" : s;
  }

  static String layoutName(int level, int layout) {
    String s = switch (level) {
      case 0 -> mapNum(R0_LAYOUTS, layout);
      case 5 -> mapNum(R5_LAYOUTS, layout);
      case 6 -> mapNum(R6_LAYOUTS, layout);
      default -> null;
    };
    return s == null ? "-unknown-" : s;
  }

  /** mdadm's {@code print_r10_layout}. */
  static String r10Layout(int layout) {
    int near = layout & 255;
    int far = (layout >> 8) & 255;
    boolean offset = (layout & 0x10000) != 0;
    StringBuilder sb = new StringBuilder();
    String sep = "";
    if (near != 1) {
      sb.append(sep).append(" near=").append(near);
      sep = ",";
    }
    if (far != 1) {
      sb.append(sep).append(' ').append(offset ? "offset" : "far").append('=').append(far);
    }
    if (near * far == 1) {
      sb.append("NO REDUNDANCY");
    }
    return sb.toString();
  }

  /**
   * mdadm's {@code human_size}: empty below 5000 KiB, else " (x.yy MiB x.yy MB)" up to 2 GiB,
   * GiB/GB up to 2 TiB, then TiB/TB; centi-units rounded half up as mdadm computes them.
   */
  public static String humanSize(long bytes) {
    if (bytes < 5000L * 1024) {
      return "";
    }
    long binUnit;
    long decUnit;
    String bin;
    String dec;
    if (bytes < 2L * 1024 * 1024 * 1024) {
      binUnit = 1L << 20;
      decUnit = 1_000_000L;
      bin = "MiB";
      dec = "MB";
    } else if (bytes < 2L * 1024 * 1024 * 1024 * 1024) {
      binUnit = 1L << 30;
      decUnit = 1_000_000_000L;
      bin = "GiB";
      dec = "GB";
    } else {
      binUnit = 1L << 40;
      decUnit = 1_000_000_000_000L;
      bin = "TiB";
      dec = "TB";
    }
    long cBin = (bytes * 200 / binUnit + 1) / 2;
    long cDec = (bytes / (decUnit / 200) + 1) / 2;
    return String.format(
        Locale.ROOT, " (%d.%02d %s %d.%02d %s)", cBin / 100, cBin % 100, bin, cDec / 100,
        cDec % 100, dec);
  }

  /** mdadm's {@code human_chunksize}: "64 MB", "512 KB", "4 KB". */
  public static String humanChunksize(long bytes) {
    String[] suffixes = {"B", "KB", "MB", "GB", "TB"};
    int i = 0;
    while ((bytes >> 10) != 0 && i < suffixes.length - 1) {
      bytes >>= 10;
      i++;
    }
    return bytes + " " + suffixes[i];
  }

  private static final DateTimeFormatter CTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);

  /** {@code %.24s} of C's {@code ctime()} in {@code zone}: "Tue Nov 14 22:13:20 2023". */
  public static String ctime(long epochSeconds, ZoneId zone) {
    return CTIME.format(Instant.ofEpochSecond(epochSeconds).atZone(zone));
  }

  /** C's {@code %2.1f} of {@code value}: glibc rounds the exact binary value half to even. */
  public static String percent1(double value) {
    String s = new BigDecimal(value).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
    return s.length() < 2 ? " " + s : s;
  }

  /** {@code %-64s}. */
  public static String padRight(String s, int width) {
    StringBuilder sb = new StringBuilder(s);
    while (sb.length() < width) {
      sb.append(' ');
    }
    return sb.toString();
  }
}
