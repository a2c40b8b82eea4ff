package io.clustermd.bitmap.store;

import io.clustermd.bitmap.device.BlockDevice;
import io.clustermd.bitmap.format.BitmapGeometry;
import io.clustermd.bitmap.format.BitmapSuperblock;
import io.clustermd.bitmap.format.BitmapSuperblockLayout;
import io.clustermd.bitmap.format.BitmapValidator;
import io.clustermd.bitmap.format.BlockWrite;
import io.clustermd.bitmap.format.FeatureMap;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.MdSuperblock;
import io.clustermd.bitmap.format.MdSuperblockCodec;
import io.clustermd.bitmap.format.MdSuperblockLayout;
import io.clustermd.bitmap.format.MemberCreateOptions;
import io.clustermd.bitmap.format.MemberLayout;
import io.clustermd.bitmap.format.MetadataException;
import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.bitmap.format.SuperblockValidator;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, loads and updates clustered v1.2 members through a {@link BlockDevice}. Every load
 * validates; every update validates what is on disk first and writes nothing if it does not pass.
 */
public final class MemberStore {

  private static final Logger log = LoggerFactory.getLogger(MemberStore.class);

  private MemberStore() {}

  /** Byte offset of a v1.2 superblock. */
  public static final long SUPERBLOCK_BYTE_OFFSET =
      MdSuperblockLayout.V1_2_SUPER_OFFSET_SECTORS * SectorRange.SECTOR_BYTES;

  /**
   * Lays out a new member (see {@link MemberLayout#plan}): slot areas, flush, superblock, flush.
   * Overwrites whatever was there, as {@code mdadm --create} does.
   */
  public static LoadedMember create(BlockDevice device, MemberCreateOptions options) {
    MemberLayout.MemberPlan plan;
    try {
      plan = MemberLayout.plan(options, device.sizeBytes());
    } catch (MetadataException e) {
      throw e.withLocation(device.name());
    }
    for (BlockWrite w : plan.writes()) {
      if (w.what().equals("md superblock")) {
        // The bitmaps must be durable before the superblock that makes the member valid.
        device.flush();
      }
      device.write(w.offset(), w.data());
    }
    device.flush();
    log.info(
        "member.create path={} set_uuid={} dev_number={} nodes={} chunk={} data_offset={}"
            + " reason=requested",
        device.name(), plan.superblock().setUuid(), plan.superblock().devNumber(),
        plan.geometry().nodes(), plan.geometry().chunkBytes(), plan.superblock().dataOffset());
    return new LoadedMember(plan.superblock(), plan.bitmapSuperblock(), plan.geometry());
  }

  /**
   * Loads and validates a member's superblock and slot 0's bitmap superblock.
   *
   * @throws MetadataException (prefixed with the device name) if anything fails validation, the
   *     member has no bitmap, or the device is too small for what the superblock describes
   */
  public static LoadedMember load(BlockDevice device) {
    try {
      MdSuperblock sb = readSuperblock(device);
      if (!sb.hasFeature(FeatureMap.BITMAP_OFFSET)) {
        throw new MetadataException(
            "md superblock", "feature_map", "0x" + Integer.toHexString(sb.featureMap()),
            "no internal bitmap (BITMAP_OFFSET not set); clustermd needs one");
      }
      BitmapSuperblock slot0 = readBitmapSuperblock(device, sb);
      BitmapGeometry geometry = BitmapGeometry.of(sb, slot0);
      BitmapValidator.validatePlacement(sb, geometry);
      return new LoadedMember(sb, slot0, geometry);
    } catch (MetadataException e) {
      throw e.withLocation(device.name());
    }
  }

  /** Reads and validates the md superblock alone. */
  public static MdSuperblock readSuperblock(BlockDevice device) {
    long devBytes = device.sizeBytes();
    if (devBytes < SUPERBLOCK_BYTE_OFFSET + MdSuperblockLayout.FIXED_BYTES) {
      throw new MetadataException(
          "member", "device_size", devBytes,
          "too small to hold a v1.2 superblock at byte " + SUPERBLOCK_BYTE_OFFSET);
    }
    int len = (int) Math.min(MdSuperblockLayout.MAX_SB_BYTES, devBytes - SUPERBLOCK_BYTE_OFFSET);
    byte[] block = device.read(SUPERBLOCK_BYTE_OFFSET, len);
    MdSuperblockCodec.Decoded decoded = MdSuperblockCodec.decode(block);
    SuperblockValidator.validate(
        decoded, MdSuperblockLayout.V1_2_SUPER_OFFSET_SECTORS, devBytes / SectorRange.SECTOR_BYTES);
    return decoded.superblock();
  }

  /**
   * Reads slot {@code slot}'s area and validates its superblock against the member.
   *
   * @throws MetadataException if the slot is beyond {@code nodes} or its superblock is invalid
   */
  public static SlotImage readSlot(BlockDevice device, LoadedMember member, MdSlot slot) {
    try {
      requireSlot(member, slot);
      long off = member.geometry().slotOffsetBytes(slot);
      byte[] area = device.read(off, Math.toIntExact(member.geometry().areaBytes()));
      BitmapSuperblock bsb = BitmapSuperblock.decode(area, 0).superblock();
      BitmapValidator.validate(bsb, member.superblock(), slot, member.bitmap());
      return new SlotImage(slot, bsb, area, member.geometry());
    } catch (MetadataException e) {
      throw e.withLocation(device.name());
    }
  }

  /** Refuses a slot the member does not have. */
  public static void requireSlot(LoadedMember member, MdSlot slot) {
    if (slot.value() >= member.nodes()) {
      throw new MetadataException(
          "bitmap superblock", "nodes", member.nodes(),
          slot + " does not exist: slots are 0.." + (member.nodes() - 1));
    }
  }

  private static BitmapSuperblock readBitmapSuperblock(BlockDevice device, MdSuperblock sb) {
    long off = (sb.superOffset() + sb.bitmapOffset()) * SectorRange.SECTOR_BYTES;
    if (off + BitmapSuperblockLayout.BYTES > device.sizeBytes()) {
      throw new MetadataException(
          "member", "device_size", device.sizeBytes(),
          "too small to hold the bitmap superblock at byte " + off);
    }
    byte[] raw = device.read(off, BitmapSuperblockLayout.BYTES);
    BitmapSuperblock bsb = BitmapSuperblock.decode(raw, 0).superblock();
    BitmapValidator.validate(bsb, sb, MdSlot.of(0), null);
    return bsb;
  }

  /**
   * Rewrites the md superblock: loads and validates what is on disk (nothing is written over
   * metadata that did not validate), applies {@code change}, checks that the result still
   * validates against the device, writes it and flushes.
   *
   * <p>The superblock occupies {@code 256 + 2*max_dev} bytes rounded to a sector; with the usual
   * max_dev of 128 that is one sector, which a disk writes atomically. A larger one can tear at a
   * sector boundary; the checksum then fails and the next load refuses it rather than trusting a
   * half-new superblock.
   */
  public static MdSuperblock updateSuperblock(
      BlockDevice device, UnaryOperator<MdSuperblock> change) {
    MdSuperblock current;
    try {
      current = readSuperblock(device);
    } catch (MetadataException e) {
      throw e.withLocation(device.name());
    }
    MdSuperblock next = change.apply(current);
    byte[] encoded = MdSuperblockCodec.encode(next);
    try {
      byte[] block = new byte[Math.max(encoded.length, MdSuperblockLayout.FIXED_BYTES)];
      System.arraycopy(encoded, 0, block, 0, encoded.length);
      SuperblockValidator.validate(
          MdSuperblockCodec.decode(block), current.superOffset(),
          device.sizeBytes() / SectorRange.SECTOR_BYTES);
    } catch (MetadataException e) {
      throw new IllegalArgumentException(
          device.name() + ": refusing to write an invalid superblock: " + e.getMessage(), e);
    }
    device.write(SUPERBLOCK_BYTE_OFFSET, encoded);
    device.flush();
    log.info(
        "member.sb_update path={} events={} reason=requested", device.name(), next.events());
    return next;
  }
}
