package io.clustermd.bitmap.format;

/**
 * An effect of a pure planning step: write {@code data} at byte {@code offset} of a member. The
 * caller carries it out through a block device, in list order.
 */
public record BlockWrite(long offset, byte[] data, String what) {

  public BlockWrite {
    if (offset < 0 || offset % SectorRange.SECTOR_BYTES != 0) {
      throw new IllegalArgumentException("writes are sector-aligned: offset " + offset);
    }
    if (data.length == 0 || data.length % SectorRange.SECTOR_BYTES != 0) {
      throw new IllegalArgumentException("writes are whole sectors: " + data.length + " bytes");
    }
  }

  @Override
  public String toString() {
    return "BlockWrite[" + what + " @" + offset + " +" + data.length + "]";
  }
}
