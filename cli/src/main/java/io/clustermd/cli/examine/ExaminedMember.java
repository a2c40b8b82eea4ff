package io.clustermd.cli.examine;

import io.clustermd.bitmap.device.BlockDevice;
import io.clustermd.bitmap.device.DeviceIOException;
import io.clustermd.bitmap.format.BitmapSuperblock;
import io.clustermd.bitmap.format.BitmapSuperblockLayout;
import io.clustermd.bitmap.format.DevRoles;
import io.clustermd.bitmap.format.FeatureMap;
import io.clustermd.bitmap.format.MdSuperblock;
import io.clustermd.bitmap.format.MdSuperblockCodec;
import io.clustermd.bitmap.format.MdSuperblockLayout;
import io.clustermd.bitmap.format.MetadataException;
import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.bitmap.format.SuperblockChecksum;
import java.util.Optional;

/**
 * A member read the way {@code mdadm --examine} reads it ({@code load_super1} for v1.2): only
 * what mdadm refuses is refused (magic, major version, super_offset, a device too small for its
 * data); a bad checksum is shown, not refused. As in mdadm, a bitmap superblock with the wrong
 * magic or UUID clears BITMAP_OFFSET from the displayed feature map, and the expected checksum is
 * computed over the superblock as displayed.
 *
 * @param block the raw superblock bytes (up to 4 KiB)
 * @param superblock the superblock as displayed
 * @param storedChecksum sb_csum on disk
 * @param expectedChecksum what mdadm computes for the displayed superblock
 * @param bitmap slot 0's bitmap superblock, if BITMAP_OFFSET survived
 * @param deviceSectors the member's size
 */
public record ExaminedMember(
    byte[] block,
    MdSuperblock superblock,
    int storedChecksum,
    int expectedChecksum,
    Optional<BitmapSuperblock> bitmap,
    long deviceSectors) {

  /** mdadm refuses a device smaller than 24 sectors. */
  static final long MIN_DEVICE_SECTORS = 24;

  /** Why {@link #read} found no superblock (mdadm's verbose reasons). */
  public static final class NoSuperblock extends Exception {
    NoSuperblock(String reason) {
      super(reason);
    }
  }

  /** Reads a v1.2 superblock, or explains why there is none. */
  public static ExaminedMember read(BlockDevice d) throws NoSuperblock {
    long dsize = d.sizeBytes() / SectorRange.SECTOR_BYTES;
    if (dsize < MIN_DEVICE_SECTORS) {
      throw new NoSuperblock("is too small for md: size is " + dsize + " sectors");
    }
    long sbByte = MdSuperblockLayout.V1_2_SUPER_OFFSET_SECTORS * SectorRange.SECTOR_BYTES;
    int len = (int) Math.min(MdSuperblockLayout.MAX_SB_BYTES, d.sizeBytes() - sbByte);
    byte[] block = d.read(sbByte, len);
    MdSuperblockCodec.Decoded dec;
    try {
      dec = MdSuperblockCodec.decode(block);
    } catch (MetadataException e) {
      int magic = (block[0] & 0xff) | (block[1] & 0xff) << 8 | (block[2] & 0xff) << 16
          | (block[3] & 0xff) << 24;
      if (magic != MdSuperblockLayout.MD_SB_MAGIC) {
        throw new NoSuperblock(noMagic(magic));
      }
      throw new NoSuperblock("superblock unreadable: " + e.getMessage());
    }
    MdSuperblock sb = dec.superblock();
    if (sb.magic() != MdSuperblockLayout.MD_SB_MAGIC) {
      throw new NoSuperblock(noMagic(sb.magic()));
    }
    if (sb.majorVersion() != 1) {
      throw new NoSuperblock("Cannot interpret superblock - version is " + sb.majorVersion());
    }
    if (sb.superOffset() != MdSuperblockLayout.V1_2_SUPER_OFFSET_SECTORS) {
      throw new NoSuperblock("No superblock found (super_offset is wrong)");
    }
    boolean journal = sb.role() == DevRoles.JOURNAL;
    if ((!journal && Long.compareUnsigned(dsize, sb.dataOffset() + sb.size()) < 0)
        || Long.compareUnsigned(dsize, sb.dataOffset() + sb.dataSize()) < 0) {
      throw new NoSuperblock("Device is not large enough for data described in superblock");
    }
    Optional<BitmapSuperblock> bitmap = Optional.empty();
    MdSuperblock shown = sb;
    if (sb.hasFeature(FeatureMap.BITMAP_OFFSET)) {
      bitmap = readBitmap(d, sb);
      if (bitmap.isEmpty()) {
        shown = sb.toBuilder().featureMap(sb.featureMap() & ~FeatureMap.BITMAP_OFFSET).build();
      }
    }
    byte[] patched = block.clone();
    int fm = shown.featureMap();
    patched[MdSuperblockLayout.FEATURE_MAP] = (byte) fm;
    patched[MdSuperblockLayout.FEATURE_MAP + 1] = (byte) (fm >>> 8);
    patched[MdSuperblockLayout.FEATURE_MAP + 2] = (byte) (fm >>> 16);
    patched[MdSuperblockLayout.FEATURE_MAP + 3] = (byte) (fm >>> 24);
    int expected = SuperblockChecksum.compute(patched, sb.maxDev());
    return new ExaminedMember(block, shown, dec.storedChecksum(), expected, bitmap, dsize);
  }

  private static String noMagic(int magic) {
    return String.format("No super block found (Expected magic a92b4efc, got %08x)", magic);
  }

  /** Slot 0's bitmap superblock if its magic and UUID match (mdadm's test in load_super1). */
  private static Optional<BitmapSuperblock> readBitmap(BlockDevice d, MdSuperblock sb) {
    long off = (sb.superOffset() + sb.bitmapOffset()) * SectorRange.SECTOR_BYTES;
    try {
      byte[] raw = d.read(off, BitmapSuperblockLayout.BYTES);
      BitmapSuperblock bsb = BitmapSuperblock.decode(raw, 0).superblock();
      if (bsb.magic() != BitmapSuperblockLayout.BITMAP_MAGIC || !bsb.uuid().equals(sb.setUuid())) {
        return Optional.empty();
      }
      return Optional.of(bsb);
    } catch (DeviceIOException e) {
      return Optional.empty();
    }
  }

  public boolean checksumCorrect() {
    return storedChecksum == expectedChecksum;
  }
}
