package io.clustermd.cli.examine;

import io.clustermd.bitmap.device.BlockDevice;
import io.clustermd.bitmap.device.DeviceIOException;
import io.clustermd.bitmap.format.BitmapBits;
import io.clustermd.bitmap.format.BitmapSuperblock;
import io.clustermd.bitmap.format.BitmapSuperblockLayout;
import io.clustermd.bitmap.format.SectorRange;
import java.io.PrintWriter;

/**
 * The text of {@code mdadm --examine-bitmap} (mdadm 4.2 {@code ExamineBitmap}, {@code
 * bitmap_fd_read}): the bitmap header from slot 0, then for a clustered bitmap one section per
 * node slot with its events, state and dirty-chunk count.
 *
 * <p>One deliberate difference: mdadm reads a <em>regular file</em> given to -X as an external
 * bitmap file (bitmap at byte 0), so on a member image it fails. We locate the internal bitmap of
 * a member whether it is a file or a block device, as mdadm does for block devices; a file or
 * device without an md superblock is read as an external bitmap at byte 0, as mdadm reads it.
 */
public final class BitmapReport {

  private BitmapReport() {}

  /** mdadm's {@code calc_bitmap_size}: bits rounded up to bytes, plus 256, to {@code boundary}. */
  static long calcBitmapSize(long syncSize, long chunk, long boundary) {
    long bits = chunk == 0 ? 0 : (syncSize * 512 + chunk - 1) / chunk;
    long bytes = (bits + 7) / 8 + BitmapSuperblockLayout.BYTES;
    return (bytes + boundary - 1) / boundary * boundary;
  }

  /** One read of a bitmap: the superblock and the bits counted as mdadm counts them. */
  record BitmapInfo(BitmapSuperblock sb, long totalBits, long dirtyBits, boolean truncated) {}

  /** mdadm's {@code bitmap_fd_read} at byte {@code offset}; null if not even a superblock fits. */
  static BitmapInfo readInfo(BlockDevice d, long offset) {
    if (offset < 0 || offset + BitmapSuperblockLayout.BYTES > d.sizeBytes()) {
      return null;
    }
    BitmapSuperblock sb = BitmapSuperblock.decode(d.read(offset, BitmapSuperblockLayout.BYTES), 0)
        .superblock();
    if (sb.syncSize() == 0 || sb.chunksize() == 0) {
      return new BitmapInfo(sb, 0, 0, false);
    }
    long chunk = Integer.toUnsignedLong(sb.chunksize());
    long total = (sb.syncSize() * 512 + chunk - 1) / chunk;
    long available = (d.sizeBytes() - offset - BitmapSuperblockLayout.BYTES) * 8;
    boolean truncated = available < total;
    long readable = Math.min(total, available);
    byte[] bits = d.read(offset + BitmapSuperblockLayout.BYTES, (int) ((readable + 7) / 8));
    long dirty = BitmapBits.countDirty(bits, 0, readable);
    return new BitmapInfo(sb, truncated ? readable : total, dirty, truncated);
  }

  /**
   * Where slot 0's bitmap is and how far apart slots are: the md superblock's internal bitmap, or
   * byte 0 with stride 0 without one (mdadm then re-reads byte 0 for every node).
   */
  public record Location(long slot0Offset, long slotStride) {}

  /**
   * Prints the report for {@code devname}. Returns mdadm's exit code: 0 if the version is 3..5,
   * else 1.
   */
  public static int print(
      String devname, BlockDevice d, Location loc, PrintWriter out, PrintWriter err) {
    BitmapInfo info = readInfo(d, loc.slot0Offset());
    if (info == null) {
      err.println("mdadm: failed to read superblock of bitmap file: Success");
      return 1;
    }
    BitmapSuperblock sb = info.sb();
    if (sb.magic() != BitmapSuperblockLayout.BITMAP_MAGIC) {
      err.println("mdadm: This is an md array.  To view a bitmap you need to examine");
      err.println("mdadm: a member device, not the array.");
      err.println("mdadm: Reporting bitmap that would be used if this array were used");
      err.println("mdadm: as a member of some other array");
    }
    line(out, "Filename", devname);
    line(out, "Magic", String.format("%08x", sb.magic()));
    if (sb.magic() != BitmapSuperblockLayout.BITMAP_MAGIC) {
      err.println("mdadm: invalid bitmap magic 0x" + Integer.toHexString(sb.magic())
          + ", the bitmap file appears");
      err.println("mdadm: to be corrupted or missing.");
    }
    line(out, "Version", String.valueOf(sb.version()));
    if (sb.version() < BitmapSuperblockLayout.VERSION_LO
        || sb.version() > BitmapSuperblockLayout.VERSION_CLUSTERED) {
      err.println("mdadm: unknown bitmap version " + sb.version() + ", either the bitmap file");
      err.println("mdadm: is corrupted or you need to upgrade your tools");
      out.flush();
      err.flush();
      return 1;
    }
    line(out, "UUID", sb.uuid().toMdadmString());
    if (sb.nodes() == 0) {
      slotState(out, sb);
    }
    line(out, "Chunksize", MdadmText.humanChunksize(Integer.toUnsignedLong(sb.chunksize())));
    line(out, "Daemon", sb.daemonSleep() + "s flush period");
    line(out, "Write Mode", sb.writeBehind() != 0
        ? "Allow write behind, max " + sb.writeBehind() : "Normal");
    line(out, "Sync Size", Long.toUnsignedString(sb.syncSize() / 2)
        + MdadmText.humanSize(sb.syncSize() * SectorRange.SECTOR_BYTES));
    if (info.truncated()) {
      err.println("mdadm: WARNING: bitmap file is not large enough for array size "
          + Long.toUnsignedString(sb.syncSize()) + "!");
      err.println();
    }
    if (sb.nodes() == 0) {
      bits(out, info);
    } else {
      line(out, "Cluster nodes", String.valueOf(sb.nodes()));
      line(out, "Cluster name", MdadmText.padRight(sb.clusterName().text(), 64));
      for (int i = 0; i < sb.nodes(); i++) {
        BitmapInfo slot;
        try {
          slot = readInfo(d, loc.slot0Offset() + (long) i * loc.slotStride());
        } catch (DeviceIOException e) {
          slot = null;
        }
        if (slot == null) {
          out.println("   Unable to read bitmap on node: " + i);
          continue;
        }
        if (slot.sb().magic() != BitmapSuperblockLayout.BITMAP_MAGIC) {
          err.println("mdadm: invalid bitmap magic 0x" + Integer.toHexString(slot.sb().magic())
              + ", the bitmap file appears to be corrupted");
        }
        line(out, "Node Slot", String.valueOf(i));
        slotState(out, slot.sb());
        bits(out, slot);
      }
    }
    out.flush();
    err.flush();
    return 0;
  }

  private static void slotState(PrintWriter out, BitmapSuperblock sb) {
    line(out, "Events", Long.toUnsignedString(sb.events()));
    line(out, "Events Cleared", Long.toUnsignedString(sb.eventsCleared()));
    line(out, "State", switch (sb.state()) {
      case 0 -> "OK";
      case BitmapSuperblockLayout.STATE_STALE -> "Out of date";
      default -> "Unknown";
    });
  }

  private static void bits(PrintWriter out, BitmapInfo info) {
    double pct = 100.0 * info.dirtyBits() / (info.totalBits() == 0 ? 1 : info.totalBits());
    line(out, "Bitmap", info.totalBits() + " bits (chunks), " + info.dirtyBits() + " dirty ("
        + MdadmText.percent1(pct) + "%)");
  }

  /** mdadm right-aligns -X labels in 16 columns. */
  private static void line(PrintWriter out, String label, String value) {
    out.println(" ".repeat(Math.max(0, 16 - label.length())) + label + " : " + value);
  }
}
