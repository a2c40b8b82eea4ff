package io.clustermd.bitmap.format;

/** Little-endian field access on byte arrays: every md and bitmap field is little-endian. */
final class Le {

  private Le() {}

  static int getInt(byte[] b, int off) {
    return (b[off] & 0xff)
        | (b[off + 1] & 0xff) << 8
        | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  static long getLong(byte[] b, int off) {
    return (getInt(b, off) & 0xffffffffL) | ((long) getInt(b, off + 4)) << 32;
  }

  static short getShort(byte[] b, int off) {
    return (short) ((b[off] & 0xff) | (b[off + 1] & 0xff) << 8);
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  static void putLong(byte[] b, int off, long v) {
    putInt(b, off, (int) v);
    putInt(b, off + 4, (int) (v >>> 32));
  }

  static void putShort(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
  }

  static byte[] slice(byte[] b, int off, int len) {
    byte[] out = new byte[len];
    System.arraycopy(b, off, out, 0, len);
    return out;
  }

  static boolean allZero(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
