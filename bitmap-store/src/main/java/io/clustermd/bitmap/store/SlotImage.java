package io.clustermd.bitmap.store;

import io.clustermd.bitmap.format.BitmapBits;
import io.clustermd.bitmap.format.BitmapGeometry;
import io.clustermd.bitmap.format.BitmapSuperblock;
import io.clustermd.bitmap.format.BitmapSuperblockLayout;
import io.clustermd.bitmap.format.ChunkIndex;
import io.clustermd.bitmap.format.MdSlot;

/**
 * One slot's area as read from a member: its validated bitmap superblock and the raw area bytes
 * (superblock, then bits, then padding up to the 4 KiB-rounded area size).
 */
public record SlotImage(MdSlot slot, BitmapSuperblock superblock, byte[] area, BitmapGeometry geometry) {

  public boolean isDirty(ChunkIndex c) {
    geometry.requireChunk(c);
    return BitmapBits.test(area, BitmapSuperblockLayout.BYTES, c.value());
  }

  /** Dirty chunks among the first {@code chunks()} bits, as {@code mdadm -X} counts them. */
  public long dirtyCount() {
    return BitmapBits.countDirty(area, BitmapSuperblockLayout.BYTES, geometry.chunks());
  }
}
