package io.clustermd.bitmap.format;

/**
 * Where each slot's bitmap lives and which sectors each chunk covers (mdcluster.md §6.4; kernel
 * {@code md_bitmap_read_sb}, mdadm {@code calc_bitmap_size} and {@code locate_bitmap1}):
 *
 * <pre>
 * chunks        = ceil(sync_size_sectors / (chunksize / 512))
 * area_bytes    = roundup(ceil(chunks / 8) + 256, 4096)        per slot
 * slot_k_offset = (super_offset + bitmap_offset) * 512 + k * area_bytes
 * </pre>
 *
 * The 4096 rounding is what the kernel uses in the slot offset and what mdadm uses whenever
 * {@code bitmap_offset} is a multiple of 8 sectors; {@link BitmapValidator} refuses clustered
 * members where it is not, because mdadm and the kernel would then disagree about the slots.
 *
 * @param superOffsetSectors {@code super_offset} of the member
 * @param bitmapOffsetSectors {@code bitmap_offset} (signed, from the superblock)
 * @param syncSizeSectors {@code sync_size}
 * @param chunkBytes {@code chunksize}
 * @param nodes slots on the member ({@code nodes}; 1 for a non-clustered bitmap)
 */
public record BitmapGeometry(
    long superOffsetSectors, int bitmapOffsetSectors, long syncSizeSectors, int chunkBytes,
    int nodes) {

  /** The per-slot area rounding. */
  public static final int AREA_ALIGN_BYTES = 4096;

  public BitmapGeometry {
    if (chunkBytes < SectorRange.SECTOR_BYTES || Integer.bitCount(chunkBytes) != 1) {
      throw new IllegalArgumentException(
          "bitmap chunk must be a power of two >= 512 bytes: " + chunkBytes);
    }
    if (syncSizeSectors < 0) {
      throw new IllegalArgumentException("sync_size must be >= 0: " + syncSizeSectors);
    }
    if (nodes < 1) {
      throw new IllegalArgumentException("a bitmap has at least one slot: nodes=" + nodes);
    }
  }

  public static BitmapGeometry of(MdSuperblock sb, BitmapSuperblock bsb) {
    return new BitmapGeometry(
        sb.superOffset(), sb.bitmapOffset(), bsb.syncSize(), bsb.chunksize(),
        Math.max(1, bsb.nodes()));
  }

  /** Sectors per chunk. */
  public long chunkSectors() {
    return chunkBytes / SectorRange.SECTOR_BYTES;
  }

  /** Number of chunks (bits) per slot; mdadm's {@code bitmap_bits}. */
  public long chunks() {
    return ceilDiv(syncSizeSectors, chunkSectors());
  }

  /** Bytes of bits per slot. */
  public long bitBytes() {
    return ceilDiv(chunks(), 8);
  }

  /** Bytes per slot area: superblock plus bits, rounded up to 4 KiB. */
  public long areaBytes() {
    return ceilDiv(bitBytes() + BitmapSuperblockLayout.BYTES, AREA_ALIGN_BYTES) * AREA_ALIGN_BYTES;
  }

  /** Byte offset on the member of the start of the bitmap (slot 0's superblock). */
  public long bitmapStartBytes() {
    return (superOffsetSectors + bitmapOffsetSectors) * SectorRange.SECTOR_BYTES;
  }

  /** Byte offset on the member of slot {@code slot}'s bitmap superblock. */
  public long slotOffsetBytes(MdSlot slot) {
    if (slot.value() >= nodes) {
      throw new IllegalArgumentException(slot + " is beyond nodes=" + nodes);
    }
    return bitmapStartBytes() + slot.value() * areaBytes();
  }

  /** Byte offset on the member just past the last slot's area. */
  public long bitmapEndBytes() {
    return bitmapStartBytes() + nodes * areaBytes();
  }

  /** The chunk holding array sector {@code sector}. */
  public ChunkIndex chunkOf(long sector) {
    if (sector < 0 || sector >= syncSizeSectors) {
      throw new IllegalArgumentException(
          "sector " + sector + " is outside the bitmap's [0, " + syncSizeSectors + ")");
    }
    return new ChunkIndex(sector / chunkSectors());
  }

  /** The first chunk of {@code range}. */
  public ChunkIndex firstChunk(SectorRange range) {
    return chunkOf(range.lo());
  }

  /** The last chunk of {@code range} (inclusive). */
  public ChunkIndex lastChunk(SectorRange range) {
    return chunkOf(range.hiExclusive() - 1);
  }

  /** The sectors chunk {@code c} covers, clipped to sync_size. */
  public SectorRange sectorsOf(ChunkIndex c) {
    requireChunk(c);
    long lo = c.value() * chunkSectors();
    return new SectorRange(lo, Math.min(syncSizeSectors, lo + chunkSectors()));
  }

  public void requireChunk(ChunkIndex c) {
    if (c.value() >= chunks()) {
      throw new IllegalArgumentException(c + " is beyond the bitmap's " + chunks() + " chunks");
    }
  }

  static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }
}
