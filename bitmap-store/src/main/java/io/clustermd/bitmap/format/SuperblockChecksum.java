package io.clustermd.bitmap.format;

/**
 * The md v1 superblock checksum (kernel {@code calc_sb_1_csum}, mdadm {@code calc_sb_1_csum}): with
 * {@code sb_csum} taken as 0, sum the little-endian u32 words of the first {@code 256 + 2 *
 * max_dev} bytes into a u64 (plus a trailing LE16 if the length is 2 mod 4), then fold: {@code
 * (sum & 0xffffffff) + (sum >> 32)}, truncated to 32 bits.
 */
public final class SuperblockChecksum {

  private SuperblockChecksum() {}

  /**
   * Computes the checksum over {@code sb[0 .. 256 + 2*maxDev)}, treating the stored {@code
   * sb_csum} as zero.
   */
  public static int compute(byte[] sb, int maxDev) {
    int size = MdSuperblockLayout.checksummedBytes(maxDev);
    if (sb.length < size) {
      throw new IllegalArgumentException(
          "checksum needs " + size + " bytes, buffer has " + sb.length);
    }
    long sum = 0;
    int pos = 0;
    for (; size - pos >= 4; pos += 4) {
      if (pos == MdSuperblockLayout.SB_CSUM) {
        continue;
      }
      sum += Integer.toUnsignedLong(Le.getInt(sb, pos));
    }
    if (size - pos == 2) {
      sum += Le.getShort(sb, pos) & 0xffff;
    }
    long folded = (sum & 0xffffffffL) + (sum >>> 32);
    return (int) folded;
  }
}
