package io.clustermd.bitmap.format;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 16-byte md UUID exactly as stored on disk ({@code set_uuid}, {@code device_uuid}, the bitmap's
 * {@code uuid}). md treats it as 16 opaque bytes; mdadm prints it as four groups of 8 hex digits.
 */
public final class Uuid16 {

  public static final int BYTES = 16;

  private final byte[] bytes;

  private Uuid16(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies 16 bytes. */
  public static Uuid16 of(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("a UUID has 16 bytes, got " + bytes.length);
    }
    return new Uuid16(bytes.clone());
  }

  /** Parses mdadm's form {@code 01234567:89abcdef:...} or 32 hex digits with optional separators. */
  public static Uuid16 parse(String text) {
    String hex = text.replace(":", "").replace("-", "");
    if (hex.length() != 2 * BYTES) {
      throw new IllegalArgumentException("a UUID has 32 hex digits: " + text);
    }
    return new Uuid16(HexFormat.of().parseHex(hex));
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public boolean isZero() {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** mdadm's rendering: {@code %02x} per byte with a colon every 4 bytes. */
  public String toMdadmString() {
    HexFormat hex = HexFormat.of();
    StringBuilder sb = new StringBuilder(35);
    for (int i = 0; i < BYTES; i++) {
      if (i > 0 && i % 4 == 0) {
        sb.append(':');
      }
      sb.append(hex.toHexDigits(bytes[i]));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Uuid16 other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toMdadmString();
  }
}
