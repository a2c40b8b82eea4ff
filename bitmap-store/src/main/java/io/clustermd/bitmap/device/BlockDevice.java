package io.clustermd.bitmap.device;

/**
 * The one seam through which every byte of a member is read or written (DESIGN.md §6,
 * CONVENTIONS.md §10): positional read, positional write, flush, size. Implementations: {@link
 * FileBlockDevice} for files and block devices, {@link SimulatedBlockDevice} for tests and the
 * simulator. A write is not durable until {@link #flush()} returns.
 */
public interface BlockDevice extends AutoCloseable {

  /** The path (or simulated name) used in every error message. */
  String name();

  /** Size in bytes. */
  long sizeBytes();

  /**
   * Reads exactly {@code len} bytes at byte {@code offset} into {@code dst[off ..]}.
   *
   * @throws DeviceIOException on an I/O error or if the device ends before {@code offset + len}
   */
  void read(long offset, byte[] dst, int off, int len);

  /**
   * Writes {@code len} bytes from {@code src[off ..]} at byte {@code offset}; not durable until
   * {@link #flush()}.
   *
   * @throws DeviceIOException on an I/O error
   */
  void write(long offset, byte[] src, int off, int len);

  /** Makes every completed write durable (fdatasync / REQ_PREFLUSH). */
  void flush();

  @Override
  void close();

  /** Reads {@code len} bytes at {@code offset}. */
  default byte[] read(long offset, int len) {
    byte[] b = new byte[len];
    read(offset, b, 0, len);
    return b;
  }

  /** Writes all of {@code src} at {@code offset}. */
  default void write(long offset, byte[] src) {
    write(offset, src, 0, src.length);
  }

  /** Throws if {@code [offset, offset+len)} is not inside the device. */
  default void checkBounds(String op, long offset, long len) {
    if (offset < 0 || len < 0 || offset > sizeBytes() || len > sizeBytes() - offset) {
      throw new DeviceIOException(
          name(), op, offset, len,
          "beyond the end of the device (" + sizeBytes() + " bytes; truncated member?)");
    }
  }
}
