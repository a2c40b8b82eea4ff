package io.clustermd.bitmap.device;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A member that is a regular file or a block device, reached through a {@link FileChannel}. With
 * {@link FileDeviceOptions.Caching#DIRECT} the file is opened O_DIRECT and every transfer goes
 * through a 4 KiB-aligned bounce buffer (read-modify-write for unaligned requests).
 */
public final class FileBlockDevice implements BlockDevice {

  /** O_DIRECT alignment: 4 KiB satisfies every logical block size up to 4 KiB. */
  public static final int DIRECT_ALIGN = 4096;

  private final Path path;
  private final String name;
  private final FileChannel channel;
  private final FileDeviceOptions options;
  private final long size;

  private FileBlockDevice(Path path, FileChannel channel, FileDeviceOptions options, long size) {
    this.path = path;
    this.name = path.toString();
    this.channel = channel;
    this.options = options;
    this.size = size;
  }

  /**
   * Opens {@code path}.
   *
   * @throws DeviceIOException naming the path if it cannot be opened or sized
   */
  public static FileBlockDevice open(Path path, FileDeviceOptions options) {
    List<OpenOption> opts = new ArrayList<>();
    opts.add(StandardOpenOption.READ);
    if (options.access() == FileDeviceOptions.Access.READ_WRITE) {
      opts.add(StandardOpenOption.WRITE);
    }
    if (options.caching() == FileDeviceOptions.Caching.DIRECT) {
      opts.add(ExtendedOpenOption.DIRECT);
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(path, opts.toArray(OpenOption[]::new));
    } catch (IOException | UnsupportedOperationException e) {
      throw new DeviceIOException(path.toString(), "open", 0, 0, describe(e), e);
    }
    try {
      long size = sizeOf(path, ch);
      if (options.caching() == FileDeviceOptions.Caching.DIRECT && size % DIRECT_ALIGN != 0) {
        throw new DeviceIOException(
            path.toString(), "open", 0, size,
            "O_DIRECT needs a size that is a multiple of " + DIRECT_ALIGN + " bytes");
      }
      return new FileBlockDevice(path, ch, options, size);
    } catch (DeviceIOException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  /**
   * A regular file's size is its length; a block device reports 0 through fstat, so its size
   * comes from sysfs ({@code /sys/class/block/NAME/size}, in 512-byte sectors).
   */
  private static long sizeOf(Path path, FileChannel ch) {
    try {
      if (Files.isRegularFile(path)) {
        return ch.size();
      }
      Path real = path.toRealPath();
      Path sys = Path.of("/sys/class/block", real.getFileName().toString(), "size");
      if (Files.exists(sys, LinkOption.NOFOLLOW_LINKS) || Files.exists(sys)) {
        return Long.parseLong(Files.readString(sys).trim()) * 512;
      }
      return ch.size();
    } catch (IOException | NumberFormatException e) {
      throw new DeviceIOException(path.toString(), "size", 0, 0, describe(e), e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  public Path path() {
    return path;
  }

  @Override
  public long sizeBytes() {
    return size;
  }

  @Override
  public void read(long offset, byte[] dst, int off, int len) {
    checkBounds("read", offset, len);
    if (options.caching() == FileDeviceOptions.Caching.DIRECT) {
      long lo = alignDown(offset);
      long hi = alignUp(offset + len);
      ByteBuffer bounce = aligned((int) (hi - lo));
      readFully(lo, bounce, offset, len);
      bounce.position((int) (offset - lo));
      bounce.get(dst, off, len);
    } else {
      readFully(offset, ByteBuffer.wrap(dst, off, len), offset, len);
    }
  }

  @Override
  public void write(long offset, byte[] src, int off, int len) {
    checkBounds("write", offset, len);
    if (options.access() != FileDeviceOptions.Access.READ_WRITE) {
      throw new DeviceIOException(name, "write", offset, len, "opened read-only");
    }
    if (options.caching() == FileDeviceOptions.Caching.DIRECT) {
      long lo = alignDown(offset);
      long hi = alignUp(offset + len);
      ByteBuffer bounce = aligned((int) (hi - lo));
      if (lo != offset || hi != offset + len) {
        readFully(lo, bounce, offset, len);
      }
      bounce.position((int) (offset - lo));
      bounce.put(src, off, len);
      bounce.clear();
      writeFully(lo, bounce, offset, len);
    } else {
      writeFully(offset, ByteBuffer.wrap(src, off, len), offset, len);
    }
  }

  @Override
  public void flush() {
    if (options.access() != FileDeviceOptions.Access.READ_WRITE) {
      return;
    }
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new DeviceIOException(name, "flush", 0, size, describe(e), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new DeviceIOException(name, "close", 0, 0, describe(e), e);
    }
  }

  private void readFully(long pos, ByteBuffer buf, long reqOffset, int reqLen) {
    try {
      long p = pos;
      while (buf.hasRemaining()) {
        int n = channel.read(buf, p);
        if (n < 0) {
          throw new DeviceIOException(
              name, "read", reqOffset, reqLen, "end of file at byte " + p + " (truncated member?)");
        }
        p += n;
      }
    } catch (IOException e) {
      throw new DeviceIOException(name, "read", reqOffset, reqLen, describe(e), e);
    }
  }

  private void writeFully(long pos, ByteBuffer buf, long reqOffset, int reqLen) {
    try {
      long p = pos;
      while (buf.hasRemaining()) {
        p += channel.write(buf, p);
      }
    } catch (IOException e) {
      throw new DeviceIOException(name, "write", reqOffset, reqLen, describe(e), e);
    }
  }

  private static ByteBuffer aligned(int len) {
    return ByteBuffer.allocateDirect(len + DIRECT_ALIGN).alignedSlice(DIRECT_ALIGN).limit(len);
  }

  private static long alignDown(long v) {
    return v / DIRECT_ALIGN * DIRECT_ALIGN;
  }

  private static long alignUp(long v) {
    return (v + DIRECT_ALIGN - 1) / DIRECT_ALIGN * DIRECT_ALIGN;
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // The open already failed; the first error is the one to report.
    }
  }
}
