package io.clustermd.bitmap.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lays a member out as {@code mdadm --create --metadata=1.2 --level=1 --bitmap=clustered} would
 * (mdadm {@code validate_geometry1}, {@code init_super1}, {@code add_internal_bitmap1}, {@code
 * write_init_super1}, {@code write_bitmap1}; mdcluster.md §6.1, §6.4, §6.5). Pure: returns the
 * superblocks and the writes to carry out.
 */
public final class MemberLayout {

  private MemberLayout() {}

  /** 1.2 reserves 12 KiB (24 sectors) before any bitmap space when choosing data_offset. */
  static final long BASE_METADATA_SECTORS = 24;
  /** data_offset is rounded up to 1 MiB. */
  static final long DATA_OFFSET_ALIGN_SECTORS = 2048;
  /** Reshape headroom is capped at 128 MiB and aims at about 0.1% of the member. */
  static final long HEADROOM_MAX_SECTORS = 128L * 1024 * 2;
  /** mdadm rounds a RAID1 member size down to 64 KiB "in case it is ever reshaped to RAID5". */
  static final long RAID1_SIZE_ALIGN_SECTORS = 128;
  /** Without an explicit chunk, mdadm limits each node's bitmap to 128 KiB. */
  static final long DEFAULT_BITMAP_ROOM_SECTORS = 256;
  /** mdadm never picks a default bitmap chunk below 64 MiB. */
  public static final int DEFAULT_MIN_CHUNK_BYTES = 64 * 1024 * 1024;
  /** mdadm's smallest bitmap chunk ("sub-page chunks don't work yet"). */
  static final long MIN_CHUNK_BYTES = 4096;

  /** Everything {@code create} decides, and the writes that put it on the member. */
  public record MemberPlan(
      MdSuperblock superblock,
      BitmapSuperblock bitmapSuperblock,
      BitmapGeometry geometry,
      List<BlockWrite> writes) {}

  /**
   * Plans a member of {@code deviceBytes} bytes.
   *
   * <p>Write order: every slot area first, the md superblock last. A crash part-way through
   * therefore leaves no valid superblock, so a half-created member is never taken for a member.
   *
   * @throws MetadataException if the device cannot hold what is asked (naming the field)
   */
  public static MemberPlan plan(MemberCreateOptions o, long deviceBytes) {
    long devSectors = deviceBytes / SectorRange.SECTOR_BYTES;
    long dataOffset = o.dataOffsetSectors().orElse(defaultDataOffset(devSectors));
    if (dataOffset >= devSectors) {
      throw new MetadataException(
          "member", "data_offset", dataOffset,
          "the member has only " + devSectors + " sectors (too small for md metadata)");
    }
    long dataSize = devSectors - dataOffset;
    long size =
        o.sizeSectors().orElse(dataSize / RAID1_SIZE_ALIGN_SECTORS * RAID1_SIZE_ALIGN_SECTORS);
    if (size < SuperblockValidator.MIN_DATA_SIZE_SECTORS || size > dataSize) {
      throw new MetadataException(
          "member", "size", size, "must be in [10, data_size=" + dataSize + "] sectors");
    }
    int chunk = o.bitmapChunkBytes().isPresent()
        ? checkedChunk(o.bitmapChunkBytes().getAsInt())
        : defaultChunkBytes(size);

    MdSuperblock sb = superblock(o, size, dataOffset, dataSize);
    BitmapSuperblock bsb =
        BitmapSuperblock.clustered(
            o.setUuid(), size, chunk, o.daemonSleepSeconds(), o.nodes(), o.clusterName());
    BitmapGeometry geometry = BitmapGeometry.of(sb, bsb);
    checkNodesFit(geometry, dataOffset, sb.superOffset());
    BitmapValidator.validatePlacement(sb, geometry);

    List<BlockWrite> writes = new ArrayList<>();
    for (int k = 0; k < o.nodes(); k++) {
      MdSlot slot = MdSlot.of(k);
      boolean dirty = k == 0 && o.initialSync() == InitialSync.NEEDS_RESYNC;
      writes.add(
          new BlockWrite(
              geometry.slotOffsetBytes(slot), slotArea(bsb, geometry, dirty), "bitmap " + slot));
    }
    writes.add(
        new BlockWrite(
            sb.superOffset() * SectorRange.SECTOR_BYTES, MdSuperblockCodec.encode(sb),
            "md superblock"));
    return new MemberPlan(sb, bsb, geometry, List.copyOf(writes));
  }

  /**
   * The bytes of one slot area as mdadm's {@code write_bitmap1} writes it: the bitmap superblock,
   * then every remaining byte of the area 0xff (dirty) or 0x00 (clean).
   */
  public static byte[] slotArea(BitmapSuperblock bsb, BitmapGeometry g, boolean dirty) {
    byte[] area = new byte[Math.toIntExact(g.areaBytes())];
    if (dirty) {
      Arrays.fill(area, (byte) 0xff);
    }
    bsb.encodeInto(area, 0);
    return area;
  }

  static MdSuperblock superblock(
      MemberCreateOptions o, long size, long dataOffset, long dataSize) {
    int devices = o.raidDisks() + o.spares();
    int maxDev =
        (int) ((MdSuperblockLayout.onDiskBytes(devices) - MdSuperblockLayout.FIXED_BYTES) / 2);
    DevRoles roles = DevRoles.allSpare(maxDev);
    for (int d = 0; d < o.raidDisks(); d++) {
      roles = roles.with(d, d);
    }
    return new MdSuperblock.Builder()
        .featureMap(FeatureMap.BITMAP_OFFSET | FeatureMap.CLUSTERED)
        .setUuid(o.setUuid())
        .setName(
            FixedString.of(
                o.name(), MdSuperblockLayout.SET_NAME_BYTES, FixedString.Termination.MAY_FILL))
        .ctime(o.ctimeSeconds())
        .level(1)
        .layout(0)
        .size(size)
        .chunksize(0)
        .raidDisks(o.raidDisks())
        .bitmapOffset((int) MdSuperblockLayout.V1_2_SUPER_OFFSET_SECTORS)
        .dataOffset(dataOffset)
        .dataSize(dataSize)
        .superOffset(MdSuperblockLayout.V1_2_SUPER_OFFSET_SECTORS)
        .devNumber(o.devNumber())
        .deviceUuid(o.deviceUuid())
        .utime(o.ctimeSeconds())
        // mdadm's write_init_super1 zeroes events; the first assembly bumps them.
        .events(0)
        .resyncOffset(
            o.initialSync() == InitialSync.ASSUME_CLEAN
                ? MdSuperblockLayout.RESYNC_OFFSET_CLEAN
                : 0)
        .devRoles(roles)
        .build();
  }

  /** mdadm's {@code choose_bm_space}: bitmap room reserved for a device of this size. */
  public static long chooseBmSpaceSectors(long devSectors) {
    if (devSectors < 64 * 2) {
      return 0;
    }
    if (devSectors - 64 * 2 >= 200L * 1024 * 1024 * 2) {
      return 128 * 2;
    }
    if (devSectors - 4 * 2 > 8L * 1024 * 1024 * 2) {
      return 64 * 2;
    }
    return 4 * 2;
  }

  /** mdadm's default 1.2 data_offset: {@code 24 + bm_space + headroom}, rounded up to 1 MiB. */
  public static long defaultDataOffset(long devSectors) {
    long headroom = HEADROOM_MAX_SECTORS;
    // RAID1 has no chunk, so only the 0.1% rule shrinks the headroom.
    while ((headroom << 10) > devSectors) {
      headroom >>= 1;
    }
    long raw = BASE_METADATA_SECTORS + chooseBmSpaceSectors(devSectors) + headroom;
    return (raw + DATA_OFFSET_ALIGN_SECTORS - 1)
        / DATA_OFFSET_ALIGN_SECTORS
        * DATA_OFFSET_ALIGN_SECTORS;
  }

  /** mdadm's smallest chunk that fits {@code sizeSectors} in {@code roomSectors} of bitmap. */
  static long minChunkBytes(long sizeSectors, long roomSectors) {
    if (roomSectors <= 1) {
      throw new MetadataException(
          "member", "size", sizeSectors, "no room for a bitmap on so small a member");
    }
    long maxBits = (roomSectors * 512 - BitmapSuperblockLayout.BYTES) * 8;
    long minChunk = MIN_CHUNK_BYTES;
    long bits = sizeSectors * 512 / minChunk + 1;
    while (bits > maxBits) {
      minChunk *= 2;
      bits = (bits + 1) / 2;
    }
    return minChunk;
  }

  /** mdadm's default bitmap chunk for an array of {@code sizeSectors} per member. */
  public static int defaultChunkBytes(long sizeSectors) {
    long room = Math.min(chooseBmSpaceSectors(sizeSectors), DEFAULT_BITMAP_ROOM_SECTORS);
    long chunk = Math.max(minChunkBytes(sizeSectors, room), DEFAULT_MIN_CHUNK_BYTES);
    if (chunk > Integer.MAX_VALUE / 2 + 1) {
      throw new MetadataException(
          "member", "size", sizeSectors, "needs a bitmap chunk beyond the 32-bit chunksize field");
    }
    return (int) chunk;
  }

  private static int checkedChunk(int chunk) {
    if (chunk < MIN_CHUNK_BYTES || Integer.bitCount(chunk) != 1) {
      throw new MetadataException(
          "bitmap superblock", "chunksize", chunk, "must be a power of two >= 4096 bytes");
    }
    return chunk;
  }

  /** mdadm's {@code write_bitmap1} rule: "The max num of nodes can't exceed N". */
  private static void checkNodesFit(BitmapGeometry g, long dataOffset, long superOffset) {
    long room = (dataOffset - superOffset) * SectorRange.SECTOR_BYTES - 4096;
    if (g.areaBytes() * g.nodes() > room) {
      throw new MetadataException(
          "bitmap superblock", "nodes", g.nodes(),
          "the max num of nodes can't exceed " + room / g.areaBytes() + " with data_offset "
              + dataOffset);
    }
  }
}
