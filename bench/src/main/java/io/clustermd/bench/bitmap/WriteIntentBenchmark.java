package io.clustermd.bench.bitmap;

import io.clustermd.bitmap.device.BlockDevice;
import io.clustermd.bitmap.device.FileBlockDevice;
import io.clustermd.bitmap.device.FileDeviceOptions;
import io.clustermd.bitmap.device.SimulatedBlockDevice;
import io.clustermd.bitmap.format.InitialSync;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.MemberCreateOptions;
import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.bitmap.intent.IntentOptions;
import io.clustermd.bitmap.intent.WriteIntentBitmap;
import io.clustermd.bitmap.intent.WriteOutcome;
import io.clustermd.bitmap.store.LoadedMember;
import io.clustermd.bitmap.store.MemberStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of {@link WriteIntentBitmap#startWrite}: on a clean chunk (set the bit, write one sector,
 * flush) and on a chunk already dirty (counter only). Devices: {@code sim} (in-memory, the CPU
 * cost), {@code file} (buffered file, flush = fdatasync), {@code direct} (O_DIRECT file, flush =
 * fdatasync). {@code dir} picks the file system: ext4 under /work, or tmpfs /dev/shm (no
 * O_DIRECT there).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WriteIntentBenchmark {

  /** 64 KiB chunks on a 64 GiB sparse member: about a million clean chunks to dirty in turn. */
  static final long MEMBER_BYTES = 64L << 30;
  static final int CHUNK_BYTES = 64 << 10;
  static final long CHUNK_SECTORS = CHUNK_BYTES / 512;

  @Param({"sim", "file", "direct"})
  public String device;

  @Param({"/work/main/bench/target/bitmap-bench"})
  public String dir;

  BlockDevice dev;
  Path file;
  WriteIntentBitmap bitmap;
  long nextChunk;
  long chunks;
  SectorRange dirtyChunk;

  @Setup(Level.Iteration)
  public void setUp() throws IOException {
    if (device.equals("sim")) {
      dev = new SimulatedBlockDevice("bench", MEMBER_BYTES);
    } else {
      Files.createDirectories(Path.of(dir));
      file = Files.createTempFile(Path.of(dir), "member", ".img");
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(MEMBER_BYTES);
      }
      dev = FileBlockDevice.open(
          file, device.equals("direct") ? FileDeviceOptions.READ_WRITE_DIRECT : FileDeviceOptions.READ_WRITE);
    }
    MemberCreateOptions o =
        MemberCreateOptions.defaults(
                Uuid16.parse("0123456789abcdef0123456789abcdef"),
                Uuid16.parse("fedcba9876543210fedcba9876543210"), "bench", "benchcluster", 0,
                1_700_000_000L)
            .withNodes(2)
            .withInitialSync(InitialSync.ASSUME_CLEAN)
            .withBitmapChunkBytes(CHUNK_BYTES);
    LoadedMember m = MemberStore.create(dev, o);
    bitmap = WriteIntentBitmap.open(dev, m, MdSlot.of(0), new IntentOptions(Duration.ofSeconds(5), -1), 0);
    chunks = m.geometry().chunks();
    nextChunk = 1;
    dirtyChunk = SectorRange.ofLength(0, 8);
    bitmap.startWrite(dirtyChunk);
  }

  @TearDown(Level.Iteration)
  public void tearDown() throws IOException {
    dev.close();
    if (file != null) {
      Files.deleteIfExists(file);
    }
  }

  /** A write to a clean chunk: set the bit, write its sector, flush; then end the write. */
  @Benchmark
  public int startWriteNewChunk() {
    long c = nextChunk++;
    if (nextChunk >= chunks) {
      throw new IllegalStateException("ran out of clean chunks: lengthen MEMBER_BYTES");
    }
    SectorRange r = SectorRange.ofLength(c * CHUNK_SECTORS, 8);
    int n = bitmap.startWrite(r);
    bitmap.endWrite(r, WriteOutcome.SUCCEEDED);
    return n;
  }

  /** A write to a chunk that already has a write in flight: counters only, no I/O. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int startWriteDirtyChunk() {
    int n = bitmap.startWrite(dirtyChunk);
    bitmap.endWrite(dirtyChunk, WriteOutcome.SUCCEEDED);
    return n;
  }
}
