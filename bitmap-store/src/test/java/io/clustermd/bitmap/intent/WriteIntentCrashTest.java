package io.clustermd.bitmap.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clustermd.bitmap.device.SimulatedBlockDevice;
import io.clustermd.bitmap.device.SimulatedCrashException;
import io.clustermd.bitmap.format.ChunkIndex;
import io.clustermd.bitmap.format.Fixtures;
import io.clustermd.bitmap.format.InitialSync;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.bitmap.store.LoadedMember;
import io.clustermd.bitmap.store.MemberStore;
import io.clustermd.bitmap.store.SlotImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Crash tests on the simulated device: a node (slot 0) runs a random mix of writes, write ends
 * (some failed), daemon sweeps, resync steps, event updates, superblock updates and one recovery
 * of a dead node's slot (slot 1, pre-filled with random dirty bits); the device loses power at a
 * random write or flush and drops, keeps or tears each unflushed write. After the restart:
 *
 * <ul>
 *   <li>every chunk with a write in flight, NEEDED or being resynced at the last completed
 *       operation is dirty on the medium in slot 0;
 *   <li>if the crash hit before the recovery finished, every chunk that was dirty in slot 1 is
 *       dirty in slot 0 or slot 1;
 *   <li>the member and every slot still validate, and the bitmap reopens with its invariants.
 * </ul>
 *
 * Seeds: {@code -Dclustermd.crash.seeds=N} (default 200), {@code -Dclustermd.crash.seed=S} to
 * replay one.
 */
class WriteIntentCrashTest {

  static final long S = 1_000_000_000L;
  /** 16 KiB chunks on a 64 MiB member: 4032 chunks, 504 bytes of bits over 2 sectors. */
  static final int CHUNK_BYTES = 16384;
  static final long CHUNK_SECTORS = CHUNK_BYTES / 512;

  @Test
  @DisplayName("after a crash at any write or flush, no chunk with a started write is clean on disk (many seeds)")
  void crashes() {
    long only = Long.getLong("clustermd.crash.seed", -1);
    long seeds = Long.getLong("clustermd.crash.seeds", 200);
    long first = only >= 0 ? only : 0;
    long end = only >= 0 ? only + 1 : seeds;
    int[] tornOrDropped = new int[1];
    for (long seed = first; seed < end; seed++) {
      try {
        tornOrDropped[0] += runOne(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "crash scenario failed; replay with -Dclustermd.crash.seed=" + seed + ": " + e, e);
      }
    }
    if (only < 0) {
      assertTrue(tornOrDropped[0] > 0, "the seeds must actually drop or tear unflushed writes");
    }
  }

  /** Returns how many unflushed writes the crash dropped or tore. */
  static int runOne(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    SimulatedBlockDevice dev = new SimulatedBlockDevice("sim-" + seed, 64L << 20);
    LoadedMember member =
        MemberStore.create(
            dev,
            Fixtures.options()
                .withInitialSync(rng.nextBoolean() ? InitialSync.ASSUME_CLEAN : InitialSync.NEEDS_RESYNC)
                .withBitmapChunkBytes(CHUNK_BYTES)
                .withNodes(2));
    long chunks = member.geometry().chunks();
    BitSet deadSlot = fillDeadSlot(dev, member, rng, chunks);

    WriteIntentBitmap bm =
        WriteIntentBitmap.open(
            dev, member, MdSlot.of(0), new IntentOptions(Duration.ofSeconds(5), 0), 0);
    bm.checkInvariants();

    if (rng.nextBoolean()) {
      dev.crashAfterWrites(rng.nextInt(60));
    } else {
      dev.crashAtFlush(rng.nextInt(30));
    }

    List<SectorRange> inFlight = new ArrayList<>();
    BitSet mustBeDirty = snapshot(bm, chunks);
    boolean recovered = false;
    long now = 0;
    long events = 0;
    try {
      for (int step = 0; step < 150; step++) {
        int op = rng.nextInt(100);
        if (op < 40) {
          long lo = rng.nextLong(chunks * CHUNK_SECTORS - 1);
          long len = 1 + rng.nextLong(Math.min(3 * CHUNK_SECTORS, chunks * CHUNK_SECTORS - lo));
          SectorRange r = SectorRange.ofLength(lo, len);
          bm.startWrite(r);
          inFlight.add(r);
        } else if (op < 65 && !inFlight.isEmpty()) {
          SectorRange r = inFlight.remove(rng.nextInt(inFlight.size()));
          bm.endWrite(r, rng.nextInt(10) == 0 ? WriteOutcome.FAILED : WriteOutcome.SUCCEEDED);
        } else if (op < 80) {
          now += rng.nextLong(6 * S);
          bm.daemonTick(now);
        } else if (op < 88) {
          bm.nextResyncRegion().ifPresent(c ->
              bm.setRegionSync(c, rng.nextInt(4) == 0 ? SyncOutcome.ABORTED : SyncOutcome.IN_SYNC));
        } else if (op < 92 && !recovered) {
          bm.copyFromSlot(MdSlot.of(1), ClearBits.CLEAR);
          recovered = true;
        } else if (op < 96) {
          bm.setEvents(++events);
          bm.flush();
        } else {
          long e = ++events;
          MemberStore.updateSuperblock(dev, s -> s.toBuilder().events(e).build());
        }
        bm.checkInvariants();
        mustBeDirty = snapshot(bm, chunks);
      }
      // Survived every step without crashing: lose power now.
    } catch (SimulatedCrashException expected) {
      // Power lost mid-operation: the model is the state after the last completed step.
    }
    SimulatedBlockDevice.CrashReport report =
        dev.crash(rng, SimulatedBlockDevice.CrashMode.values()[rng.nextInt(3)]);

    LoadedMember after = MemberStore.load(dev);
    SlotImage slot0 = MemberStore.readSlot(dev, after, MdSlot.of(0));
    SlotImage slot1 = MemberStore.readSlot(dev, after, MdSlot.of(1));
    for (int c = mustBeDirty.nextSetBit(0); c >= 0; c = mustBeDirty.nextSetBit(c + 1)) {
      if (!slot0.isDirty(ChunkIndex.of(c))) {
        fail("chunk " + c + " had a write in flight / was NEEDED but is clean on disk in slot 0");
      }
    }
    if (!recovered) {
      for (int c = deadSlot.nextSetBit(0); c >= 0; c = deadSlot.nextSetBit(c + 1)) {
        if (!slot0.isDirty(ChunkIndex.of(c)) && !slot1.isDirty(ChunkIndex.of(c))) {
          fail("dead node's chunk " + c + " is dirty in neither slot after a crash during recovery");
        }
      }
    }
    WriteIntentBitmap reopened = WriteIntentBitmap.open(dev, after, MdSlot.of(0), 0);
    reopened.checkInvariants();
    assertEquals(after.geometry(), member.geometry());
    return report.dropped() + report.torn();
  }

  /** Chunks that must be dirty on the medium in slot 0 if power is lost now. */
  static BitSet snapshot(WriteIntentBitmap bm, long chunks) {
    BitSet must = new BitSet();
    for (long c = 0; c < chunks; c++) {
      ChunkIndex ci = ChunkIndex.of(c);
      if (bm.writesInFlight(ci) > 0 || !bm.inSync(ci)) {
        must.set((int) c);
      }
    }
    return must;
  }

  static BitSet fillDeadSlot(SimulatedBlockDevice dev, LoadedMember m, SplittableRandom rng, long chunks) {
    WriteIntentBitmap dead = WriteIntentBitmap.open(dev, m, MdSlot.of(1), 0);
    BitSet dirty = new BitSet();
    int n = rng.nextInt(20);
    for (int i = 0; i < n; i++) {
      long c = rng.nextLong(chunks);
      dead.startWrite(SectorRange.ofLength(c * CHUNK_SECTORS, 1));
      dirty.set((int) c);
    }
    return dirty;
  }
}
