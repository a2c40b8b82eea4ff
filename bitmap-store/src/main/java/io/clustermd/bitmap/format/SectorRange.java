package io.clustermd.bitmap.format;

/**
 * A half-open range of 512-byte sectors {@code [lo, hiExclusive)}, in array (data area) sectors.
 *
 * @param lo the first sector
 * @param hiExclusive one past the last sector; a range is never empty
 */
public record SectorRange(long lo, long hiExclusive) {

  /** Bytes in a sector: md counts every on-disk offset and size in 512-byte sectors. */
  public static final int SECTOR_BYTES = 512;

  public SectorRange {
    if (lo < 0) {
      throw new IllegalArgumentException("sector range must start at >= 0: lo=" + lo);
    }
    if (hiExclusive <= lo) {
      throw new IllegalArgumentException(
          "sector range must not be empty: [" + lo + ", " + hiExclusive + ")");
    }
  }

  public static SectorRange ofLength(long lo, long sectors) {
    return new SectorRange(lo, Math.addExact(lo, sectors));
  }

  public long length() {
    return hiExclusive - lo;
  }

  public boolean overlaps(SectorRange other) {
    return lo < other.hiExclusive && other.lo < hiExclusive;
  }

  @Override
  public String toString() {
    return "[" + lo + ", " + hiExclusive + ")";
  }
}
