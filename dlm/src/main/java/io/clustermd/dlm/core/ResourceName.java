package io.clustermd.dlm.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A resource name: 1 to 64 bytes, binary allowed (dlm.md §2, {@code DLM_RESNAME_MAXLEN}).
 * Compared byte for byte.
 */
public final class ResourceName {

  /** {@code DLM_RESNAME_MAXLEN}. */
  public static final int MAX_LENGTH = 64;

  private final byte[] bytes;
  private final int hash;

  private ResourceName(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /**
   * @throws IllegalArgumentException when the name is empty or longer than 64 bytes
   */
  public static ResourceName of(byte[] name) {
    if (name.length == 0 || name.length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "resource name is " + name.length + " bytes; it must be 1 to " + MAX_LENGTH);
    }
    return new ResourceName(name.clone());
  }

  /** A name from its UTF-8 text. */
  public static ResourceName of(String name) {
    return of(name.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourceName other && Arrays.equals(other.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** The text when the name is printable ASCII, else hex. */
  @Override
  public String toString() {
    for (byte b : bytes) {
      if (b < 0x20 || b > 0x7e) {
        StringBuilder sb = new StringBuilder("0x");
        for (byte x : bytes) {
          sb.append(String.format("%02x", x));
        }
        return sb.toString();
      }
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }
}
