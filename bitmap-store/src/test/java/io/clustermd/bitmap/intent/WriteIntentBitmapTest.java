package io.clustermd.bitmap.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.device.DeviceIOException;
import io.clustermd.bitmap.device.SimulatedBlockDevice;
import io.clustermd.bitmap.format.BitmapBits;
import io.clustermd.bitmap.format.BitmapSuperblockLayout;
import io.clustermd.bitmap.format.ChunkIndex;
import io.clustermd.bitmap.format.Fixtures;
import io.clustermd.bitmap.format.InitialSync;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.MetadataException;
import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.bitmap.store.LoadedMember;
import io.clustermd.bitmap.store.MemberStore;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WriteIntentBitmapTest {

  static final long S = 1_000_000_000L;
  /** 64 MiB member, 1 MiB chunks (2048 sectors): 63 chunks. */
  static final long CHUNK = 2048;

  SimulatedBlockDevice dev;
  LoadedMember member;
  WriteIntentBitmap bm;

  @BeforeEach
  void setUp() {
    dev = new SimulatedBlockDevice("sim", 64L << 20);
    member =
        MemberStore.create(
            dev,
            Fixtures.options().withInitialSync(InitialSync.ASSUME_CLEAN).withBitmapChunkBytes(1 << 20));
    bm = WriteIntentBitmap.open(dev, member, MdSlot.of(0), IntentOptions.defaults(), 0);
  }

  static SectorRange chunk(long c) {
    return SectorRange.ofLength(c * CHUNK, CHUNK);
  }

  boolean dirtyOnMedium(int slot, long c) {
    byte[] area = dev.durableBytes(member.geometry().slotOffsetBytes(MdSlot.of(slot)), 4096);
    return BitmapBits.test(area, BitmapSuperblockLayout.BYTES, c);
  }

  @Test
  @DisplayName("startWrite on a clean chunk sets its bit and flushes before returning; a dirty chunk costs no I/O")
  void startWriteFlushesOnlyWhenNewlyDirty() {
    SimulatedBlockDevice.Stats before = dev.stats();
    assertEquals(1, bm.startWrite(chunk(3)));
    SimulatedBlockDevice.Stats after = dev.stats();
    assertEquals(before.writes() + 1, after.writes(), "one sector write");
    assertEquals(512, after.bytesWritten() - before.bytesWritten());
    assertEquals(before.flushes() + 1, after.flushes());
    assertTrue(dirtyOnMedium(0, 3), "durable, not just written");
    assertEquals(0, dev.unflushedWrites());

    assertEquals(0, bm.startWrite(SectorRange.ofLength(3 * CHUNK + 5, 10)));
    assertEquals(after, dev.stats(), "already dirty: no write, no flush");
    assertEquals(2, bm.writesInFlight(ChunkIndex.of(3)));
    bm.checkInvariants();
  }

  @Test
  @DisplayName("a write spanning chunks dirties each; all bits go out in one flush")
  void spanning() {
    long flushes = dev.stats().flushes();
    assertEquals(4, bm.startWrite(new SectorRange(CHUNK - 1, 3 * CHUNK + 1)), "chunks 0..3");
    assertEquals(flushes + 1, dev.stats().flushes());
    for (long c = 0; c <= 3; c++) {
      assertTrue(dirtyOnMedium(0, c), "chunk " + c);
    }
    assertFalse(dirtyOnMedium(0, 4));
    bm.checkInvariants();
  }

  @Test
  @DisplayName("the daemon clears an idle chunk after two sweeps, never while a write is in flight")
  void lazyClear() {
    bm.startWrite(chunk(7));
    assertFalse(bm.daemonTick(4 * S).swept(), "not due before daemon_sleep");
    assertTrue(bm.daemonTick(5 * S).swept());
    assertTrue(dirtyOnMedium(0, 7), "write in flight: never cleared");
    bm.endWrite(chunk(7), WriteOutcome.SUCCEEDED);
    DaemonReport first = bm.daemonTick(10 * S);
    assertEquals(0, first.clearedChunks(), "first idle sweep only ages the chunk (2 -> 1)");
    assertTrue(dirtyOnMedium(0, 7));
    long flushes = dev.stats().flushes();
    DaemonReport second = bm.daemonTick(15 * S);
    assertEquals(1, second.clearedChunks());
    assertEquals("idle-chunks-cleared", second.reason());
    assertEquals(flushes + 1, dev.stats().flushes(), "cleared bits batched into one flush");
    assertFalse(dirtyOnMedium(0, 7));
    assertTrue(bm.isClean(ChunkIndex.of(7)));
    bm.checkInvariants();
  }

  @Test
  @DisplayName("a write restarting an aging chunk keeps it dirty (1 -> back to in flight)")
  void rewriteAgingChunk() {
    bm.startWrite(chunk(2));
    bm.endWrite(chunk(2), WriteOutcome.SUCCEEDED);
    bm.daemonTick(5 * S);
    assertEquals(0, bm.startWrite(chunk(2)), "bit still set: no I/O");
    bm.daemonTick(10 * S);
    bm.daemonTick(15 * S);
    assertTrue(dirtyOnMedium(0, 2));
    bm.checkInvariants();
  }

  @Test
  @DisplayName("a failed write makes the chunk NEEDED: kept dirty, resynced via the region API, then cleared")
  void failedWriteAndResync() {
    bm.setEvents(12);
    bm.startWrite(chunk(4));
    bm.endWrite(chunk(4), WriteOutcome.FAILED);
    assertFalse(bm.inSync(ChunkIndex.of(4)));
    assertEquals(bm.regionCount() - 1, bm.countInSync());
    bm.daemonTick(5 * S);
    bm.daemonTick(10 * S);
    assertTrue(dirtyOnMedium(0, 4), "NEEDED is never cleared by the daemon");
    assertEquals(12, bm.superblock().eventsCleared(), "events_cleared recorded on failure");

    assertEquals(Optional.of(ChunkIndex.of(4)), bm.nextResyncRegion());
    assertEquals(Optional.empty(), bm.nextResyncRegion(), "a region being resynced is not handed out twice");
    bm.setRegionSync(ChunkIndex.of(4), SyncOutcome.ABORTED);
    assertEquals(Optional.of(ChunkIndex.of(4)), bm.nextResyncRegion(), "aborted: needed again");
    bm.setRegionSync(ChunkIndex.of(4), SyncOutcome.IN_SYNC);
    assertTrue(bm.inSync(ChunkIndex.of(4)));
    assertEquals(bm.regionCount(), bm.countInSync());
    bm.daemonTick(15 * S);
    bm.daemonTick(20 * S);
    assertFalse(dirtyOnMedium(0, 4));
    bm.checkInvariants();
  }

  @Test
  @DisplayName("open after create without --assume-clean: slot 0 all NEEDED, resync hands out chunks in order")
  void openNeedsResync() {
    SimulatedBlockDevice d = new SimulatedBlockDevice("fresh", 64L << 20);
    LoadedMember m = MemberStore.create(d, Fixtures.options().withBitmapChunkBytes(1 << 20));
    WriteIntentBitmap b = WriteIntentBitmap.open(d, m, MdSlot.of(0), 0);
    assertEquals(0, b.countInSync());
    assertEquals(Optional.of(ChunkIndex.of(0)), b.nextResyncRegion());
    assertEquals(Optional.of(ChunkIndex.of(1)), b.nextResyncRegion());
    b.checkInvariants();
    WriteIntentBitmap other = WriteIntentBitmap.open(d, m, MdSlot.of(1), 0);
    assertEquals(other.regionCount(), other.countInSync(), "other slots start clean");
  }

  @Test
  @DisplayName("bits found at open on a clean array (resync_offset MaxSector) are not NEEDED and are cleared")
  void openCleanArrayClearsStaleBits() {
    bm.startWrite(chunk(9));
    WriteIntentBitmap reopened =
        WriteIntentBitmap.open(dev, member, MdSlot.of(0), new IntentOptions(Duration.ofSeconds(5), -1), 0);
    assertTrue(reopened.inSync(ChunkIndex.of(9)));
    assertFalse(reopened.isClean(ChunkIndex.of(9)));
    reopened.daemonTick(5 * S);
    reopened.daemonTick(10 * S);
    assertTrue(reopened.isClean(ChunkIndex.of(9)));
    assertFalse(dirtyOnMedium(0, 9));
  }

  @Test
  @DisplayName("copyFromSlot merges another slot's bits (NEEDED here), clears them there, returns first/last")
  void copyFromSlot() {
    WriteIntentBitmap peer = WriteIntentBitmap.open(dev, member, MdSlot.of(2), IntentOptions.defaults(), 0);
    peer.startWrite(chunk(0));
    peer.startWrite(chunk(5));
    peer.startWrite(chunk(40));
    Optional<ChunkSpan> span = bm.copyFromSlot(MdSlot.of(2), ClearBits.CLEAR);
    assertEquals(Optional.of(new ChunkSpan(ChunkIndex.of(0), ChunkIndex.of(40), 3)), span);
    for (long c : new long[] {0, 5, 40}) {
      assertTrue(dirtyOnMedium(0, c), "ours durable: " + c);
      assertFalse(dirtyOnMedium(2, c), "theirs cleared: " + c);
      assertFalse(bm.inSync(ChunkIndex.of(c)));
    }
    assertEquals(Optional.empty(), bm.copyFromSlot(MdSlot.of(2), ClearBits.CLEAR), "now clean");
    bm.checkInvariants();
  }

  @Test
  @DisplayName("copyFromSlot: chunk 0 alone is reported (md's lo=0 pitfall); KEEP leaves their bits")
  void copyChunkZeroKeep() {
    WriteIntentBitmap peer = WriteIntentBitmap.open(dev, member, MdSlot.of(1), IntentOptions.defaults(), 0);
    peer.startWrite(chunk(0));
    assertEquals(
        Optional.of(new ChunkSpan(ChunkIndex.of(0), ChunkIndex.of(0), 1)),
        bm.copyFromSlot(MdSlot.of(1), ClearBits.KEEP));
    assertTrue(dirtyOnMedium(1, 0));
    assertThrows(IllegalArgumentException.class, () -> bm.copyFromSlot(MdSlot.of(0), ClearBits.KEEP));
    MetadataException e =
        assertThrows(MetadataException.class, () -> bm.copyFromSlot(MdSlot.of(4), ClearBits.KEEP));
    assertEquals("nodes", e.field());
  }

  @Test
  @DisplayName("endWrite without startWrite and setRegionSync without a resync are refused unchanged")
  void misuse() {
    assertThrows(IllegalStateException.class, () -> bm.endWrite(chunk(1), WriteOutcome.SUCCEEDED));
    assertThrows(IllegalStateException.class, () -> bm.setRegionSync(ChunkIndex.of(1), SyncOutcome.IN_SYNC));
    assertThrows(IllegalArgumentException.class, () -> bm.startWrite(SectorRange.ofLength(member.superblock().size(), 1)));
    bm.checkInvariants();
  }

  @Test
  @DisplayName("if the bit cannot be made durable, startWrite throws, rolls back, and a retry flushes it")
  void flushFailure() {
    dev.failWritesAfter(0);
    assertThrows(DeviceIOException.class, () -> bm.startWrite(chunk(6)));
    assertEquals(0, bm.writesInFlight(ChunkIndex.of(6)));
    bm.checkInvariants();
    long flushes = dev.stats().flushes();
    assertEquals(0, bm.startWrite(chunk(6)), "bit already set in memory");
    assertEquals(flushes + 1, dev.stats().flushes(), "but not durable: flushed now");
    assertTrue(dirtyOnMedium(0, 6));
    bm.checkInvariants();
  }

  @Test
  @DisplayName("more than COUNTER_MAX writes in flight on one chunk are refused, not wrapped")
  void counterMax() {
    for (int i = 0; i < ChunkCounters.COUNTER_MAX - 2; i++) {
      bm.startWrite(chunk(8));
    }
    assertThrows(IllegalStateException.class, () -> bm.startWrite(chunk(8)));
    assertEquals(ChunkCounters.COUNTER_MAX - 2, bm.writesInFlight(ChunkIndex.of(8)));
  }

  @Test
  @DisplayName("the bitmap superblock's events are written with the next flush")
  void events() {
    bm.setEvents(99);
    bm.flush();
    assertEquals(99, MemberStore.readSlot(dev, member, MdSlot.of(0)).superblock().events());
  }
}
