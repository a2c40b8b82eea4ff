package io.clustermd.bench.bitmap;

import io.clustermd.bitmap.device.SimulatedBlockDevice;
import io.clustermd.bitmap.format.BitmapBits;
import io.clustermd.bitmap.format.BitmapSuperblockLayout;
import io.clustermd.bitmap.format.InitialSync;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.MemberCreateOptions;
import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.bitmap.intent.ChunkSpan;
import io.clustermd.bitmap.intent.ClearBits;
import io.clustermd.bitmap.intent.IntentOptions;
import io.clustermd.bitmap.intent.WriteIntentBitmap;
import io.clustermd.bitmap.store.LoadedMember;
import io.clustermd.bitmap.store.MemberStore;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
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

/**
 * {@link WriteIntentBitmap#copyFromSlot} (recovery of a dead node's slot, bits cleared there) for
 * a bitmap covering 16 TiB at 64 MiB chunks: 262,144 chunks, 32 KiB of bits per slot. The member
 * is a sparse simulated device (a 16 TiB member does not fit in one ext4 file), so this measures
 * the scan and merge, plus two in-memory flushes. Each invocation starts from a fresh slot 0 and
 * a slot 1 with {@code dirtyPercent}% of its chunks dirty (restored in the per-invocation setup).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CopyFromSlotBenchmark {

  static final long MEMBER_BYTES = (16L << 40) + (1L << 30);
  static final long SIZE_SECTORS = (16L << 40) / 512;
  static final int CHUNK_BYTES = 64 << 20;

  @Param({"0", "1", "100"})
  public int dirtyPercent;

  SimulatedBlockDevice dev;
  LoadedMember member;
  byte[] deadArea;
  byte[] cleanArea0;
  long deadOffset;
  WriteIntentBitmap bitmap;

  @Setup(Level.Trial)
  public void createMember() {
    dev = new SimulatedBlockDevice("16TiB", MEMBER_BYTES);
    MemberCreateOptions o =
        MemberCreateOptions.defaults(
                Uuid16.parse("0123456789abcdef0123456789abcdef"),
                Uuid16.parse("fedcba9876543210fedcba9876543210"), "big", "benchcluster", 0,
                1_700_000_000L)
            .withInitialSync(InitialSync.ASSUME_CLEAN)
            .withSizeSectors(SIZE_SECTORS)
            .withBitmapChunkBytes(CHUNK_BYTES);
    member = MemberStore.create(dev, o);
    if (member.geometry().chunks() != 262_144) {
      throw new IllegalStateException("expected 262144 chunks, got " + member.geometry().chunks());
    }
    deadOffset = member.geometry().slotOffsetBytes(MdSlot.of(1));
    deadArea = MemberStore.readSlot(dev, member, MdSlot.of(1)).area();
    cleanArea0 = MemberStore.readSlot(dev, member, MdSlot.of(0)).area();
    SplittableRandom rng = new SplittableRandom(42);
    for (long c = 0; c < member.geometry().chunks(); c++) {
      if (rng.nextInt(100) < dirtyPercent) {
        BitmapBits.set(deadArea, BitmapSuperblockLayout.BYTES, c);
      }
    }
  }

  @Setup(Level.Invocation)
  public void freshSlots() {
    dev.write(deadOffset, deadArea);
    dev.write(member.geometry().slotOffsetBytes(MdSlot.of(0)), cleanArea0);
    bitmap = WriteIntentBitmap.open(dev, member, MdSlot.of(0), new IntentOptions(Duration.ofSeconds(5), -1), 0);
  }

  @Benchmark
  public Optional<ChunkSpan> copyFromSlotClear() {
    return bitmap.copyFromSlot(MdSlot.of(1), ClearBits.CLEAR);
  }
}
