package io.clustermd.bitmap.device;

/**
 * An I/O operation on a member failed. Names the path, the operation, the byte offset and length,
 * so that an operator can find the failing region with {@code dd}.
 */
public class DeviceIOException extends RuntimeException {

  private final String path;
  private final long offset;

  public DeviceIOException(String path, String operation, long offset, long length, String reason,
      Throwable cause) {
    super(path + ": " + operation + " of " + length + " bytes at offset " + offset + " failed: "
        + reason, cause);
    this.path = path;
    this.offset = offset;
  }

  public DeviceIOException(String path, String operation, long offset, long length,
      String reason) {
    this(path, operation, offset, length, reason, null);
  }

  public String path() {
    return path;
  }

  public long offset() {
    return offset;
  }
}
