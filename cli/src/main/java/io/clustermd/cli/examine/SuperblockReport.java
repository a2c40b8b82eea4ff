package io.clustermd.cli.examine;

import io.clustermd.bitmap.format.BitmapSuperblock;
import io.clustermd.bitmap.format.DevRoles;
import io.clustermd.bitmap.format.FeatureMap;
import io.clustermd.bitmap.format.MdSuperblock;
import java.time.ZoneId;
import java.util.Optional;

/**
 * The text of {@code mdadm --examine} for a v1.2 member (mdadm 4.2 {@code examine_super1} and
 * {@code getinfo_super1}), line for line, so that scripts written against mdadm read ours.
 */
public final class SuperblockReport {

  private SuperblockReport() {}

  public static String format(String devname, ExaminedMember m, ZoneId zone) {
    MdSuperblock sb = m.superblock();
    StringBuilder o = new StringBuilder();
    o.append(devname).append(":\n");
    line(o, "Magic", String.format("%08x", sb.magic()));
    line(o, "Version", "1.2");
    line(o, "Feature Map", "0x" + Integer.toHexString(sb.featureMap()));
    line(o, "Array UUID", sb.setUuid().toMdadmString());
    line(o, "Name", sb.setName().text());
    Optional<BitmapSuperblock> bms = m.bitmap();
    if (bms.isPresent() && bms.get().nodes() != 0 && sb.hasFeature(FeatureMap.BITMAP_OFFSET)) {
      line(o, "Cluster Name", MdadmText.padRight(bms.get().clusterName().text(), 64));
    }
    line(o, "Creation Time", MdadmText.ctime(sb.ctimeSeconds(), zone));
    line(o, "Raid Level", MdadmText.levelName(sb.level()));
    line(o, "Raid Devices", String.valueOf(sb.raidDisks()));
    o.append('\n');
    line(o, "Avail Dev Size", u(sb.dataSize()) + " sectors" + MdadmText.humanSize(sb.dataSize() << 9));
    if (sb.level() > 0) {
      arraySize(o, sb);
      if (sb.size() != sb.dataSize()) {
        line(o, "Used Dev Size", u(sb.size()) + " sectors" + MdadmText.humanSize(sb.size() << 9));
      }
    }
    if (sb.dataOffset() != 0) {
      line(o, "Data Offset", u(sb.dataOffset()) + " sectors");
    }
    if (sb.newOffset() != 0 && sb.hasFeature(FeatureMap.NEW_OFFSET)) {
      line(o, "New Offset", u(sb.dataOffset() + sb.newOffset()) + " sectors");
    }
    line(o, "Super Offset", u(sb.superOffset()) + " sectors");
    if (sb.hasFeature(FeatureMap.RECOVERY_OFFSET)) {
      line(o, "Recovery Offset", u(sb.recoveryOffset()) + " sectors");
    }
    long[] space = unusedSpace(m);
    if (space[1] != 1 && !sb.hasFeature(FeatureMap.NEW_OFFSET)) {
      String after = space[1] >= 0
          ? "after=" + space[1] + " sectors"
          : "after=-" + Long.toUnsignedString(-1L - space[1]) + " sectors DEVICE TOO SMALL";
      line(o, "Unused Space", "before=" + u(space[0]) + " sectors, " + after);
    }
    line(o, "State", (sb.isClean() ? "clean" : "active") + (space[1] < 0 ? " TRUNCATED DEVICE" : ""));
    line(o, "Device UUID", sb.deviceUuid().toMdadmString());
    o.append('\n');
    if (sb.hasFeature(FeatureMap.BITMAP_OFFSET)) {
      line(o, "Internal Bitmap", sb.bitmapOffset() + " sectors from superblock");
    } else if (sb.hasFeature(FeatureMap.PPL) || sb.hasFeature(FeatureMap.MULTIPLE_PPLS)) {
      int off = sb.bitmapOffset() & 0xffff;
      int size = (sb.bitmapOffset() >>> 16) & 0xffff;
      line(o, "PPL", size + " sectors at offset " + off + " sectors from superblock");
    }
    int deltaExtra = reshape(o, sb);
    if (sb.devflags() != 0) {
      String flags = ((sb.devflags() & 1) != 0 ? " write-mostly" : "")
          + ((sb.devflags() & 2) != 0 ? " failfast" : "");
      o.append(pad("Flags")).append(" :").append(flags).append('\n');
    }
    line(o, "Update Time", MdadmText.ctime(sb.utimeSeconds(), zone));
    if (sb.bblogSize() != 0 && sb.bblogOffset() != 0) {
      o.append(pad("Bad Block Log")).append(" : ").append(sb.bblogSize() * 512 / 8)
          .append(" entries available at offset ").append(sb.bblogOffset()).append(" sectors");
      if (sb.hasFeature(FeatureMap.BAD_BLOCKS)) {
        o.append(" - bad blocks present.");
      }
      o.append('\n');
    }
    line(o, "Checksum", Integer.toHexString(m.storedChecksum())
        + (m.checksumCorrect() ? " - correct" : " - expected " + Integer.toHexString(m.expectedChecksum())));
    line(o, "Events", u(sb.events()));
    o.append('\n');
    layoutAndChunk(o, sb);
    o.append('\n');
    roles(o, sb, deltaExtra);
    return o.toString();
  }

  private static void arraySize(StringBuilder o, MdSuperblock sb) {
    long ddsks = 0;
    long denom = 1;
    switch (sb.level()) {
      case 1 -> ddsks = 1;
      case 4, 5 -> ddsks = sb.raidDisks() - 1;
      case 6 -> ddsks = sb.raidDisks() - 2;
      case 10 -> {
        ddsks = sb.raidDisks();
        denom = (long) (sb.layout() & 255) * ((sb.layout() >> 8) & 255);
      }
      default -> ddsks = 0;
    }
    if (ddsks != 0 && denom != 0) {
      long asize = (sb.size() << 9) * ddsks / denom;
      line(o, "Array Size", (asize >> 10) + " KiB" + MdadmText.humanSize(asize));
    }
  }

  /**
   * mdadm's space_before / space_after for a 1.1/1.2 member; space_after is negative when the
   * device is smaller than the data ({@code DEVICE TOO SMALL}), and 1 when both are 0 (mdadm's
   * marker that suppresses the line).
   */
  static long[] unusedSpace(ExaminedMember m) {
    MdSuperblock sb = m.superblock();
    long dataSize = sb.level() <= 0 ? sb.dataSize() : sb.size();
    long before;
    long after;
    if (sb.dataOffset() < sb.superOffset()) {
      long end = sb.superOffset();
      if (sb.bblogOffset() != 0 && sb.bblogSize() != 0) {
        end = Math.min(end, sb.superOffset() + sb.bblogOffset());
      }
      long bitmapOffset = sb.hasFeature(FeatureMap.BITMAP_OFFSET) ? sb.bitmapOffset() : 0;
      end = Math.min(end, sb.superOffset() + bitmapOffset);
      before = sb.dataOffset();
      after = sb.dataOffset() + dataSize < end ? end - dataSize - sb.dataOffset() : 0;
    } else {
      // mdadm's "match kernel" floor: 36 KiB past the superblock.
      long earliest = sb.superOffset() + (32 + 4) * 2;
      if (sb.hasFeature(FeatureMap.BITMAP_OFFSET) && sb.bitmapOffset() > 0 && m.bitmap().isPresent()) {
        // mdadm adds one slot's size to the *relative* bitmap offset; reproduced as is.
        BitmapSuperblock b = m.bitmap().get();
        long area = BitmapReport.calcBitmapSize(b.syncSize(), b.chunksize(), 4096);
        earliest = Math.max(earliest, sb.bitmapOffset() + area / 512);
      }
      if (sb.bblogOffset() != 0 && sb.bblogSize() != 0) {
        earliest = Math.max(earliest, sb.superOffset() + sb.bblogOffset() + sb.bblogSize());
      }
      before = earliest < sb.dataOffset() ? sb.dataOffset() - earliest : 0;
      after = m.deviceSectors() - dataSize - sb.dataOffset();
    }
    if (before == 0 && after == 0) {
      after = 1;
    }
    return new long[] {before, after};
  }

  private static int reshape(StringBuilder o, MdSuperblock sb) {
    int deltaExtra = 0;
    if (!sb.hasFeature(FeatureMap.RESHAPE_ACTIVE)) {
      return 0;
    }
    line(o, "Reshape pos'n", u(sb.reshapePosition() / 2) + MdadmText.humanSize(sb.reshapePosition() << 9));
    if (sb.deltaDisks() != 0) {
      line(o, "Delta Devices", sb.deltaDisks() + " (" + (sb.raidDisks() - sb.deltaDisks()) + "->"
          + sb.raidDisks() + ")");
      if (sb.deltaDisks() < 0) {
        deltaExtra = -sb.deltaDisks();
      }
    }
    if (sb.newLevel() != sb.level()) {
      line(o, "New Level", MdadmText.levelName(sb.newLevel()));
    }
    if (sb.newLayout() != sb.layout()) {
      if (sb.level() == 5 || sb.level() == 6) {
        line(o, "New Layout", MdadmText.layoutName(sb.level(), sb.newLayout()));
      } else if (sb.level() == 10) {
        o.append(pad("New Layout")).append(" :").append(MdadmText.r10Layout(sb.newLayout())).append('\n');
      }
    }
    if (sb.newChunk() != sb.chunksize()) {
      line(o, "New Chunksize", (sb.newChunk() / 2) + "K");
    }
    o.append('\n');
    return deltaExtra;
  }

  private static void layoutAndChunk(StringBuilder o, MdSuperblock sb) {
    if ((sb.level() == 0 && sb.hasFeature(FeatureMap.RAID0_LAYOUT))
        || sb.level() == 5 || sb.level() == 6) {
      line(o, "Layout", MdadmText.layoutName(sb.level(), sb.layout()));
    }
    if (sb.level() == 10) {
      o.append(pad("Layout")).append(" :").append(MdadmText.r10Layout(sb.layout())).append('\n');
    }
    switch (sb.level()) {
      case 0, 4, 5, 6, 10 -> line(o, "Chunk Size", (sb.chunksize() / 2) + "K");
      case -1 -> line(o, "Rounding", (sb.chunksize() / 2) + "K");
      default -> { }
    }
  }

  private static void roles(StringBuilder o, MdSuperblock sb, int deltaExtra) {
    int role = sb.role();
    String roleText;
    if (role >= DevRoles.FAULTY) {
      roleText = "spare";
    } else if (role == DevRoles.JOURNAL) {
      roleText = "Journal";
    } else if (sb.hasFeature(FeatureMap.REPLACEMENT)) {
      roleText = "Replacement device " + role;
    } else {
      roleText = "Active device " + role;
    }
    o.append("   Device Role : ").append(roleText).append('\n');
    o.append("   Array State : ");
    boolean inconsistent = false;
    long slots = Integer.toUnsignedLong(sb.raidDisks()) + deltaExtra;
    for (long d = 0; d < slots; d++) {
      int cnt = 0;
      for (int i = 0; i < sb.maxDev(); i++) {
        if (sb.devRoles().role(i) == d) {
          cnt++;
        }
      }
      if (cnt == 2 && sb.level() > 0) {
        o.append('R');
      } else if (cnt == 1) {
        o.append('A');
      } else if (cnt == 0) {
        o.append('.');
      } else {
        o.append('?');
        inconsistent = true;
      }
    }
    o.append(" ('A' == active, '.' == missing, 'R' == replacing)\n");
    for (int d = 0; d < sb.maxDev(); d++) {
      int r = sb.devRoles().role(d);
      if (r <= DevRoles.MAX_ACTIVE && r > slots) {
        inconsistent = true;
      }
    }
    if (inconsistent) {
      o.append("WARNING Array state is inconsistent - each number should appear only once\n");
      for (int d = 0; d < sb.maxDev(); d++) {
        int r = sb.devRoles().role(d);
        o.append(' ').append(d).append(':').append(r >= DevRoles.FAULTY ? "-" : String.valueOf(r));
      }
      o.append('\n');
    }
  }

  private static String u(long v) {
    return Long.toUnsignedString(v);
  }

  /** mdadm right-aligns examine labels in 15 columns. */
  static String pad(String label) {
    return " ".repeat(Math.max(0, 15 - label.length())) + label;
  }

  static void line(StringBuilder o, String label, String value) {
    o.append(pad(label)).append(" : ").append(value).append('\n');
  }
}
