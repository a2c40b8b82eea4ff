package io.clustermd.bitmap.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A fixed-width, NUL-padded byte string as md stores names ({@code set_name}, 32 bytes; the bitmap's
 * {@code cluster_name}, 64 bytes). The raw bytes are kept so that decoding and re-encoding never
 * changes a member; {@link #text()} is what mdadm prints (bytes up to the first NUL).
 */
public final class FixedString {

  private final byte[] bytes;

  private FixedString(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies a raw on-disk field. */
  public static FixedString ofRaw(byte[] raw) {
    return new FixedString(raw.clone());
  }

  /**
   * Encodes {@code text} as UTF-8 into {@code width} bytes, NUL-padded.
   *
   * @param terminated whether the field must keep a terminating NUL (the bitmap's cluster_name is
   *     read with {@code %s}, so it must; set_name is read with {@code %.32s}, so it may fill all 32
   *     bytes)
   */
  public static FixedString of(String text, int width, Termination terminated) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    int max = terminated == Termination.NUL_TERMINATED ? width - 1 : width;
    if (utf8.length > max) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is " + utf8.length + " bytes; the field holds at most " + max);
    }
    if (text.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a name must not contain NUL: \"" + text + "\"");
    }
    return new FixedString(Arrays.copyOf(utf8, width));
  }

  /** Whether a field must keep a terminating NUL inside its width. */
  public enum Termination {
    /** The reader uses {@code %s}: at most width-1 bytes of text. */
    NUL_TERMINATED,
    /** The reader uses {@code %.Ns}: the text may fill the field. */
    MAY_FILL
  }

  public int width() {
    return bytes.length;
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The text up to the first NUL (or the whole field). */
  public String text() {
    int end = 0;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  /** Whether the field holds a NUL (a {@code %s} reader stops inside the field). */
  public boolean isTerminated() {
    for (byte b : bytes) {
      if (b == 0) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FixedString other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return text();
  }
}
