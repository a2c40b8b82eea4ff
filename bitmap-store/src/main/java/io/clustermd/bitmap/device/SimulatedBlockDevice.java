package io.clustermd.bitmap.device;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * An in-memory member for tests and the simulator, with the failure modes of a real disk
 * (CONVENTIONS.md §10):
 *
 * <ul>
 *   <li>{@link #failWritesAfter(long)}: the n-th later write fails with {@link DeviceIOException};
 *   <li>{@link #setWriteDelay(long, Sleeper)}: every write is slowed by a delay the caller's
 *       {@link Sleeper} carries out (real sleep, or a simulated clock);
 *   <li>{@link #tearNextWriteAfterSectors(int)}: the next write persists only its first sectors,
 *       then fails, as a power cut in the middle of a multi-sector write would leave it;
 *   <li>{@link #crashAfterWrites(long)}: after n more writes the device "loses power": that write
 *       and every later operation throws {@link SimulatedCrashException}; {@link
 *       #crashAtFlush(long)} does the same at a flush, before it takes effect;
 *   <li>{@link #crash(RandomGenerator, CrashMode)}: power is lost. Every write since the last
 *       flush is independently dropped, kept, or torn (a random subset of its 512-byte sectors
 *       survives); the device then reads back what a disk would after the restart.
 * </ul>
 *
 * Storage is sparse (4 KiB pages, absent pages read as zeros), so a simulated 16 TiB member costs
 * only the pages written. All methods are synchronized: a shell's daemon thread and the data path
 * may share one device.
 */
public final class SimulatedBlockDevice implements BlockDevice {

  private static final int PAGE = 4096;
  private static final int SECTOR = 512;

  /** Carries out a simulated delay; the simulator passes one driven by its own clock. */
  @FunctionalInterface
  public interface Sleeper {
    void sleepNanos(long nanos);

    /** Sleeps the calling thread (for real-time tests and benchmarks). */
    Sleeper REAL = nanos -> {
      try {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  /** What a crash does to the writes that were not flushed. */
  public enum CrashMode {
    /** Each unflushed write is dropped, kept or torn at random. */
    DROP_KEEP_OR_TEAR,
    /** Every unflushed write is lost (the harshest cache). */
    DROP_ALL,
    /** Every unflushed write survives (a write-through disk). */
    KEEP_ALL
  }

  /** Counters for tests that assert on I/O (e.g. "a dirty chunk costs no write"). */
  public record Stats(long reads, long writes, long bytesWritten, long flushes) {}

  private final String name;
  private final long size;
  private final Map<Long, byte[]> current = new HashMap<>();
  private final Map<Long, byte[]> durable = new HashMap<>();
  private final List<PendingWrite> unflushed = new ArrayList<>();

  private long reads;
  private long writes;
  private long bytesWritten;
  private long flushes;

  private long failWriteCountdown = -1;
  private long crashCountdown = -1;
  private long flushCrashCountdown = -1;
  private int tearAfterSectors = -1;
  private boolean dead;
  private long writeDelayNanos;
  private Sleeper sleeper = Sleeper.REAL;

  private record PendingWrite(long offset, byte[] data) {}

  public SimulatedBlockDevice(String name, long sizeBytes) {
    this.name = Objects.requireNonNull(name, "name");
    if (sizeBytes <= 0 || sizeBytes % SECTOR != 0) {
      throw new IllegalArgumentException("size must be a positive multiple of 512: " + sizeBytes);
    }
    this.size = sizeBytes;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized long sizeBytes() {
    return size;
  }

  @Override
  public synchronized void read(long offset, byte[] dst, int off, int len) {
    checkAlive("read", offset, len);
    checkBounds("read", offset, len);
    reads++;
    copyOut(current, offset, dst, off, len);
  }

  @Override
  public synchronized void write(long offset, byte[] src, int off, int len) {
    checkAlive("write", offset, len);
    checkBounds("write", offset, len);
    if (crashCountdown == 0) {
      dead = true;
      throw new SimulatedCrashException(name, offset);
    }
    if (crashCountdown > 0) {
      crashCountdown--;
    }
    if (failWriteCountdown == 0) {
      failWriteCountdown = -1;
      throw new DeviceIOException(name, "write", offset, len, "injected write error");
    }
    if (failWriteCountdown > 0) {
      failWriteCountdown--;
    }
    if (writeDelayNanos > 0) {
      sleeper.sleepNanos(writeDelayNanos);
    }
    byte[] data = Arrays.copyOfRange(src, off, off + len);
    if (tearAfterSectors >= 0) {
      int keep = (int) Math.min(len, (long) tearAfterSectors * SECTOR);
      tearAfterSectors = -1;
      if (keep > 0) {
        applyWrite(offset, Arrays.copyOf(data, keep));
      }
      throw new DeviceIOException(
          name, "write", offset, len, "injected torn write: only " + keep
              + " bytes reached the medium");
    }
    applyWrite(offset, data);
  }

  private void applyWrite(long offset, byte[] data) {
    copyIn(current, offset, data);
    unflushed.add(new PendingWrite(offset, data));
    writes++;
    bytesWritten += data.length;
  }

  @Override
  public synchronized void flush() {
    checkAlive("flush", 0, 0);
    if (flushCrashCountdown == 0) {
      dead = true;
      throw new SimulatedCrashException(name, 0);
    }
    if (flushCrashCountdown > 0) {
      flushCrashCountdown--;
    }
    for (PendingWrite w : unflushed) {
      copyIn(durable, w.offset, w.data);
    }
    unflushed.clear();
    flushes++;
  }

  @Override
  public synchronized void close() {
    // Nothing to release; the contents stay readable for crash checks.
  }

  /** The n-th write from now ({@code n = 0}: the next) fails with a {@link DeviceIOException}. */
  public synchronized void failWritesAfter(long n) {
    failWriteCountdown = n;
  }

  /** Every write takes {@code nanos} longer, slept through {@code sleeper}. */
  public synchronized void setWriteDelay(long nanos, Sleeper sleeper) {
    this.writeDelayNanos = nanos;
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  /** The next write persists only its first {@code sectors} sectors and then fails. */
  public synchronized void tearNextWriteAfterSectors(int sectors) {
    tearAfterSectors = sectors;
  }

  /** After {@code n} more successful writes, power is lost: everything throws until a crash. */
  public synchronized void crashAfterWrites(long n) {
    crashCountdown = n;
  }

  /** After {@code n} more flushes, power is lost at the next flush, before it takes effect. */
  public synchronized void crashAtFlush(long n) {
    flushCrashCountdown = n;
  }

  /** Whether power has been lost ({@link #crashAfterWrites}) and {@link #crash} is due. */
  public synchronized boolean isDead() {
    return dead;
  }

  /**
   * Loses power and restarts: unflushed writes are resolved according to {@code mode} (using
   * {@code rng} for the random choices, in write order), the volatile image becomes what reached
   * the medium, and every armed fault is cleared.
   *
   * @return how many unflushed writes were dropped, kept and torn
   */
  public synchronized CrashReport crash(RandomGenerator rng, CrashMode mode) {
    int dropped = 0;
    int kept = 0;
    int torn = 0;
    for (PendingWrite w : unflushed) {
      int choice = switch (mode) {
        case DROP_ALL -> 0;
        case KEEP_ALL -> 1;
        case DROP_KEEP_OR_TEAR -> rng.nextInt(3);
      };
      if (choice == 1) {
        copyIn(durable, w.offset, w.data);
        kept++;
      } else if (choice == 2 && w.data.length > SECTOR) {
        for (int s = 0; s < w.data.length; s += SECTOR) {
          if (rng.nextBoolean()) {
            copyIn(durable, w.offset + s, Arrays.copyOfRange(w.data, s, s + SECTOR));
          }
        }
        torn++;
      } else if (choice == 2) {
        // A single sector is atomic: a "torn" one-sector write either landed or did not.
        if (rng.nextBoolean()) {
          copyIn(durable, w.offset, w.data);
          kept++;
        } else {
          dropped++;
        }
      } else {
        dropped++;
      }
    }
    unflushed.clear();
    current.clear();
    for (Map.Entry<Long, byte[]> e : durable.entrySet()) {
      current.put(e.getKey(), e.getValue().clone());
    }
    dead = false;
    crashCountdown = -1;
    flushCrashCountdown = -1;
    failWriteCountdown = -1;
    tearAfterSectors = -1;
    return new CrashReport(dropped, kept, torn);
  }

  /** What a crash did to the unflushed writes. */
  public record CrashReport(int dropped, int kept, int torn) {}

  /** Unflushed writes right now. */
  public synchronized int unflushedWrites() {
    return unflushed.size();
  }

  public synchronized Stats stats() {
    return new Stats(reads, writes, bytesWritten, flushes);
  }

  /** A copy of everything that would survive a crash that drops every unflushed write. */
  public synchronized byte[] durableBytes(long offset, int len) {
    byte[] out = new byte[len];
    copyOut(durable, offset, out, 0, len);
    return out;
  }

  private void checkAlive(String op, long offset, long len) {
    if (dead) {
      throw new SimulatedCrashException(name, offset);
    }
  }

  private static void copyIn(Map<Long, byte[]> pages, long offset, byte[] data) {
    int done = 0;
    while (done < data.length) {
      long pos = offset + done;
      long page = pos / PAGE;
      int inPage = (int) (pos % PAGE);
      int n = Math.min(PAGE - inPage, data.length - done);
      byte[] p = pages.computeIfAbsent(page, k -> new byte[PAGE]);
      System.arraycopy(data, done, p, inPage, n);
      done += n;
    }
  }

  private static void copyOut(Map<Long, byte[]> pages, long offset, byte[] dst, int off, int len) {
    int done = 0;
    while (done < len) {
      long pos = offset + done;
      long page = pos / PAGE;
      int inPage = (int) (pos % PAGE);
      int n = Math.min(PAGE - inPage, len - done);
      byte[] p = pages.get(page);
      if (p == null) {
        Arrays.fill(dst, off + done, off + done + n, (byte) 0);
      } else {
        System.arraycopy(p, inPage, dst, off + done, n);
      }
      done += n;
    }
  }
}
