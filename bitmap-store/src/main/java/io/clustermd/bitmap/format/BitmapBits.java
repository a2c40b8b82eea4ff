package io.clustermd.bitmap.format;

/**
 * The kernel's bit order for bitmap bits ({@code set_bit_le}): chunk {@code c} is bit {@code c % 8}
 * (least significant first) of byte {@code c / 8} of the bit array that follows a slot's 256-byte
 * superblock.
 */
public final class BitmapBits {

  private BitmapBits() {}

  public static boolean test(byte[] bits, int base, long chunk) {
    return (bits[base + (int) (chunk >>> 3)] & (1 << (chunk & 7))) != 0;
  }

  public static void set(byte[] bits, int base, long chunk) {
    bits[base + (int) (chunk >>> 3)] |= (byte) (1 << (chunk & 7));
  }

  public static void clear(byte[] bits, int base, long chunk) {
    bits[base + (int) (chunk >>> 3)] &= (byte) ~(1 << (chunk & 7));
  }

  /** Counts set bits among the first {@code chunks} bits (what {@code mdadm -X} calls dirty). */
  public static long countDirty(byte[] bits, int base, long chunks) {
    long full = chunks >>> 3;
    long n = 0;
    for (int i = 0; i < full; i++) {
      n += Integer.bitCount(bits[base + i] & 0xff);
    }
    int rest = (int) (chunks & 7);
    if (rest != 0) {
      n += Integer.bitCount(bits[base + (int) full] & ((1 << rest) - 1));
    }
    return n;
  }
}
