package io.clustermd.bitmap.device;

import java.util.Objects;

/**
 * How {@link FileBlockDevice} opens a path.
 *
 * @param access read-only (examine) or read-write
 * @param caching through the page cache, or O_DIRECT with aligned bounce buffers
 */
public record FileDeviceOptions(Access access, Caching caching) {

  public FileDeviceOptions {
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(caching, "caching");
  }

  public static final FileDeviceOptions READ_ONLY =
      new FileDeviceOptions(Access.READ_ONLY, Caching.BUFFERED);
  public static final FileDeviceOptions READ_WRITE =
      new FileDeviceOptions(Access.READ_WRITE, Caching.BUFFERED);
  public static final FileDeviceOptions READ_WRITE_DIRECT =
      new FileDeviceOptions(Access.READ_WRITE, Caching.DIRECT);

  public enum Access {
    READ_ONLY,
    READ_WRITE
  }

  public enum Caching {
    /** Through the page cache; {@code flush} is fdatasync. */
    BUFFERED,
    /** O_DIRECT: every transfer is 4 KiB-aligned in offset, length and memory. */
    DIRECT
  }
}
