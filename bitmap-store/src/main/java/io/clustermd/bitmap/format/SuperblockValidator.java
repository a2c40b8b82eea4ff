package io.clustermd.bitmap.format;

import static io.clustermd.bitmap.format.MdSuperblockLayout.*;

/**
 * The rules a v1.2 member's superblock must pass before anything trusts it or writes over it: the
 * kernel's {@code super_1_load} checks and mdadm's {@code load_super1} size checks (mdcluster.md
 * §6.2). Each refusal names the field and the value.
 */
public final class SuperblockValidator {

  private SuperblockValidator() {}

  private static final String S = MdSuperblockCodec.STRUCTURE;

  /** The kernel refuses a member whose data area is smaller than this many sectors. */
  public static final long MIN_DATA_SIZE_SECTORS = 10;

  /**
   * Validates a decoded superblock read at sector {@code expectedSuperOffset} of a member that is
   * {@code deviceSectors} long.
   *
   * @throws MetadataException naming the first field that fails, in the kernel's order
   */
  public static void validate(
      MdSuperblockCodec.Decoded decoded, long expectedSuperOffset, long deviceSectors) {
    MdSuperblock sb = decoded.superblock();
    if (sb.magic() != MD_SB_MAGIC) {
      throw new MetadataException(
          S, "magic", hex(sb.magic()), "expected 0xa92b4efc (no md superblock here)");
    }
    if (sb.majorVersion() != 1) {
      throw new MetadataException(S, "major_version", sb.majorVersion(), "expected 1");
    }
    if (sb.maxDev() > MAX_DEV_LIMIT) {
      throw new MetadataException(S, "max_dev", sb.maxDev(), "must be <= " + MAX_DEV_LIMIT);
    }
    if (sb.superOffset() != expectedSuperOffset) {
      throw new MetadataException(
          S, "super_offset", sb.superOffset(),
          "expected " + expectedSuperOffset + " (the superblock was read there; v1.2 only)");
    }
    if (!decoded.checksumCorrect()) {
      throw new MetadataException(
          S, "sb_csum", hex(decoded.storedChecksum()),
          "expected " + hex(decoded.computedChecksum()) + " (torn or corrupted superblock)");
    }
    int unknown = sb.featureMap() & ~FeatureMap.ALL_KNOWN;
    if (unknown != 0) {
      throw new MetadataException(
          S, "feature_map", hex(sb.featureMap()), "unknown feature bits " + hex(unknown));
    }
    if (decoded.pad0() != 0) {
      throw new MetadataException(S, "pad0", decoded.pad0(), "must be 0");
    }
    if (!decoded.pad3Zero()) {
      throw new MetadataException(S, "pad3", "non-zero bytes", "must be all zero");
    }
    validateGeometry(sb, deviceSectors);
  }

  private static void validateGeometry(MdSuperblock sb, long deviceSectors) {
    if (sb.dataSize() < MIN_DATA_SIZE_SECTORS) {
      throw new MetadataException(
          S, "data_size", sb.dataSize(), "must be >= " + MIN_DATA_SIZE_SECTORS + " sectors");
    }
    long sbSectors = onDiskBytes(sb.maxDev()) / SectorRange.SECTOR_BYTES;
    if (sb.dataOffset() < sb.superOffset() + sbSectors) {
      throw new MetadataException(
          S, "data_offset", sb.dataOffset(),
          "the data area must start after the superblock, at sector >= "
              + (sb.superOffset() + sbSectors));
    }
    if (sb.dataOffset() > deviceSectors
        || sb.dataSize() > deviceSectors - sb.dataOffset()) {
      throw new MetadataException(
          S, "data_size", sb.dataSize(),
          "data_offset " + sb.dataOffset() + " + data_size exceeds the member's "
              + deviceSectors + " sectors (truncated member?)");
    }
    if (sb.level() > 0 && Long.compareUnsigned(sb.size(), sb.dataSize()) > 0) {
      throw new MetadataException(
          S, "size", sb.size(), "larger than data_size " + sb.dataSize());
    }
    if (sb.raidDisks() < 0 || sb.raidDisks() > sb.maxDev()) {
      throw new MetadataException(
          S, "raid_disks", sb.raidDisks(), "must be in [0, max_dev=" + sb.maxDev() + "]");
    }
    if (sb.hasFeature(FeatureMap.CLUSTERED) && !sb.hasFeature(FeatureMap.BITMAP_OFFSET)) {
      throw new MetadataException(
          S, "feature_map", hex(sb.featureMap()),
          "CLUSTERED needs BITMAP_OFFSET: a clustered array keeps its state in bitmaps");
    }
    if (sb.hasFeature(FeatureMap.BITMAP_OFFSET)) {
      long bitmapStart = sb.superOffset() + sb.bitmapOffset();
      if (bitmapStart < sb.superOffset() + sbSectors || bitmapStart >= sb.dataOffset()) {
        throw new MetadataException(
            S, "bitmap_offset", sb.bitmapOffset(),
            "a v1.2 bitmap must lie between the superblock and data_offset " + sb.dataOffset());
      }
    }
  }

  static String hex(int v) {
    return "0x" + Integer.toHexString(v);
  }
}
