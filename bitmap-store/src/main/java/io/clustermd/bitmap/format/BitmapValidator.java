package io.clustermd.bitmap.format;

/**
 * The rules a bitmap superblock must pass (kernel {@code md_bitmap_read_sb}; mdcluster.md §6.3,
 * §6.4), plus the member-level rule that every slot area fits between the superblock and the data.
 */
public final class BitmapValidator {

  private BitmapValidator() {}

  /** The kernel reads daemon_sleep as seconds times HZ into a long; keep far from overflow. */
  public static final int DAEMON_SLEEP_MAX_SECONDS = 24 * 3600;

  /**
   * Validates slot {@code slot}'s bitmap superblock of a member whose md superblock is {@code sb}.
   * For slots other than 0, {@code slot0} is slot 0's superblock: the geometry fields must agree,
   * or slot offsets computed from slot 0 would be wrong.
   */
  public static void validate(
      BitmapSuperblock bsb, MdSuperblock sb, MdSlot slot, BitmapSuperblock slot0) {
    String s = "bitmap superblock (" + slot + ")";
    if (bsb.magic() != BitmapSuperblockLayout.BITMAP_MAGIC) {
      throw new MetadataException(
          s, "magic", SuperblockValidator.hex(bsb.magic()), "expected 0x6d746962 (\"bitm\")");
    }
    if (bsb.version() < BitmapSuperblockLayout.VERSION_LO
        || bsb.version() > BitmapSuperblockLayout.VERSION_CLUSTERED) {
      throw new MetadataException(
          s, "version", bsb.version(), "supported bitmap versions are 3, 4 and 5 (clustered)");
    }
    if (!bsb.uuid().equals(sb.setUuid())) {
      throw new MetadataException(
          s, "uuid", bsb.uuid(), "must equal the array's set_uuid " + sb.setUuid());
    }
    int chunk = bsb.chunksize();
    if (chunk < SectorRange.SECTOR_BYTES || Integer.bitCount(chunk) != 1) {
      throw new MetadataException(s, "chunksize", chunk, "must be a power of two >= 512");
    }
    if (bsb.daemonSleep() < 1 || bsb.daemonSleep() > DAEMON_SLEEP_MAX_SECONDS) {
      throw new MetadataException(
          s, "daemon_sleep", bsb.daemonSleep(),
          "must be in [1, " + DAEMON_SLEEP_MAX_SECONDS + "] seconds");
    }
    if (bsb.writeBehind() < 0 || bsb.writeBehind() > BitmapSuperblockLayout.WRITE_BEHIND_MAX) {
      throw new MetadataException(
          s, "write_behind", bsb.writeBehind(),
          "must be in [0, " + BitmapSuperblockLayout.WRITE_BEHIND_MAX + "]");
    }
    if (bsb.syncSize() <= 0) {
      throw new MetadataException(s, "sync_size", bsb.syncSize(), "must be > 0 sectors");
    }
    if (sb.level() > 0 && Long.compareUnsigned(bsb.syncSize(), sb.size()) < 0) {
      throw new MetadataException(
          s, "sync_size", bsb.syncSize(),
          "smaller than the array's size " + sb.size() + ": writes beyond it would have no bit");
    }
    if (bsb.isClustered()) {
      validateClustered(s, bsb, sb, slot);
    } else if (slot.value() != 0) {
      throw new MetadataException(
          s, "version", bsb.version(), "only a clustered (version 5) bitmap has slot " + slot);
    }
    if (slot0 != null && slot.value() != 0) {
      requireSame(s, "chunksize", bsb.chunksize(), slot0.chunksize());
      requireSame(s, "sync_size", bsb.syncSize(), slot0.syncSize());
      requireSame(s, "nodes", bsb.nodes(), slot0.nodes());
    }
  }

  private static void validateClustered(
      String s, BitmapSuperblock bsb, MdSuperblock sb, MdSlot slot) {
    if (bsb.nodes() < 1 || bsb.nodes() > MdSlot.MAX_SLOTS) {
      throw new MetadataException(
          s, "nodes", bsb.nodes(), "must be in [1, " + MdSlot.MAX_SLOTS + "]");
    }
    if (slot.value() >= bsb.nodes()) {
      throw new MetadataException(
          s, "nodes", bsb.nodes(), slot + " does not exist: slots are 0.." + (bsb.nodes() - 1));
    }
    if (!bsb.clusterName().isTerminated()) {
      throw new MetadataException(
          s, "cluster_name", bsb.clusterName().text(), "must be NUL-terminated within 64 bytes");
    }
    if (sb.bitmapOffset() % 8 != 0) {
      throw new MetadataException(
          "md superblock", "bitmap_offset", sb.bitmapOffset(),
          "a clustered bitmap must start 4 KiB-aligned (mdadm and the kernel disagree on slot"
              + " offsets otherwise)");
    }
  }

  /**
   * Validates that all {@code nodes} slot areas fit between the superblock and {@code
   * data_offset}.
   */
  public static void validatePlacement(MdSuperblock sb, BitmapGeometry geometry) {
    long end = geometry.bitmapEndBytes();
    if (end > sb.dataOffset() * SectorRange.SECTOR_BYTES) {
      throw new MetadataException(
          "bitmap superblock (slot0)", "nodes", geometry.nodes(),
          geometry.nodes() + " slots of " + geometry.areaBytes() + " bytes end at byte " + end
              + ", past data_offset " + sb.dataOffset() + " sectors");
    }
  }

  private static void requireSame(String s, String field, long value, long slot0Value) {
    if (value != slot0Value) {
      throw new MetadataException(s, field, value, "differs from slot 0's " + slot0Value);
    }
  }
}
