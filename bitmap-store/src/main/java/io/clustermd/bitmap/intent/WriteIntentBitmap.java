package io.clustermd.bitmap.intent;

import io.clustermd.bitmap.device.BlockDevice;
import io.clustermd.bitmap.format.BitmapBits;
import io.clustermd.bitmap.format.BitmapGeometry;
import io.clustermd.bitmap.format.BitmapSuperblock;
import io.clustermd.bitmap.format.BitmapSuperblockLayout;
import io.clustermd.bitmap.format.ChunkIndex;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.bitmap.store.LoadedMember;
import io.clustermd.bitmap.store.MemberStore;
import io.clustermd.bitmap.store.SlotImage;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;

/**
 * One node's write-intent bitmap: its slot on one member, with md's per-chunk counters
 * (mdcluster.md §6.5; kernel {@code md-bitmap.c}).
 *
 * <ul>
 *   <li>{@link #startWrite}: before a data write, set the bits of its chunks and, only if some
 *       bit was newly set, write and flush them. When it returns, every chunk of the write is
 *       dirty on disk, so a crash during the data write is repaired by a resync of those chunks.
 *   <li>{@link #endWrite}: after the data write. The chunk's bit is cleared lazily by {@link
 *       #daemonTick} once the chunk stays idle through two sweeps, and cleared bits are written
 *       in one batch with one flush per sweep.
 *   <li>{@link #copyFromSlot}: merge another slot's dirty bits into ours (recovery of a dead node,
 *       re-add), ours made durable before theirs are cleared.
 *   <li>{@link RegionLog}: the resync-facing view.
 * </ul>
 *
 * <p>Time is an input: {@link #daemonTick} takes the caller's monotonic {@code nowNanos}; no
 * thread or clock lives here. Not thread-safe: one caller at a time (the shell {@link
 * ScheduledBitmapDaemon} serialises the data path and the daemon). Writes go to the bitmap in
 * 512-byte sectors, which a disk writes atomically.
 */
public final class WriteIntentBitmap implements RegionLog {

  private static final int SECTOR = SectorRange.SECTOR_BYTES;
  private static final int BITS = BitmapSuperblockLayout.BYTES;

  private final BlockDevice device;
  private final LoadedMember member;
  private final BitmapGeometry geometry;
  private final MdSlot slot;
  private final long areaOffset;
  private final long chunks;
  private final long daemonSleepNanos;

  /** The slot area as it should be on disk. */
  private final byte[] area;
  /** The slot area as far as we know it is durable (written and flushed). */
  private final byte[] durable;
  /** Area sectors changed in memory and not yet durable. */
  private final BitSet dirtySectors = new BitSet();

  private final ChunkCounters counters;
  /** Chunks the daemon must look at (md's per-page PENDING, per chunk). */
  private final BitSet pending = new BitSet();
  private final BitSet needed = new BitSet();
  private final BitSet resyncing = new BitSet();
  private long outOfSync;

  private BitmapSuperblock superblock;
  private long arrayEvents;
  private long eventsCleared;
  private boolean needSync;
  private long lastSweepNanos;

  private WriteIntentBitmap(
      BlockDevice device, LoadedMember member, SlotImage image, IntentOptions options,
      long nowNanos) {
    this.device = device;
    this.member = member;
    this.geometry = member.geometry();
    this.slot = image.slot();
    this.areaOffset = geometry.slotOffsetBytes(slot);
    this.chunks = geometry.chunks();
    this.daemonSleepNanos = options.daemonSleep().toNanos();
    this.area = image.area().clone();
    this.durable = image.area().clone();
    this.counters = new ChunkCounters(chunks);
    this.superblock = image.superblock();
    this.arrayEvents = member.superblock().events();
    this.eventsCleared = superblock.eventsCleared();
    this.lastSweepNanos = nowNanos;
    loadBits(options.resyncOffsetSectors());
  }

  /**
   * Opens {@code slot}'s bitmap on a loaded member. Bits found set become idle dirty chunks
   * (count 2), NEEDED if they end at or past {@code resyncOffsetSectors} (md's {@code
   * init_from_disk}); the daemon clears the others.
   */
  public static WriteIntentBitmap open(
      BlockDevice device, LoadedMember member, MdSlot slot, IntentOptions options,
      long nowNanos) {
    SlotImage image = MemberStore.readSlot(device, member, slot);
    return new WriteIntentBitmap(device, member, image, options, nowNanos);
  }

  /** Opens with the daemon period from the slot's superblock and the md superblock's resync_offset. */
  public static WriteIntentBitmap open(
      BlockDevice device, LoadedMember member, MdSlot slot, long nowNanos) {
    IntentOptions options =
        new IntentOptions(
            java.time.Duration.ofSeconds(member.bitmap().daemonSleep()),
            member.superblock().resyncOffset());
    return open(device, member, slot, options, nowNanos);
  }

  private void loadBits(long resyncOffset) {
    long chunkSectors = geometry.chunkSectors();
    for (long c = 0; c < chunks; c++) {
      if (BitmapBits.test(area, BITS, c)) {
        boolean isNeeded = Long.compareUnsigned((c + 1) * chunkSectors, resyncOffset) >= 0;
        put(c, 2 | (isNeeded ? ChunkCounters.NEEDED : 0));
        pending.set((int) c);
      }
    }
  }

  // ---------------------------------------------------------------- data path

  /**
   * Marks the chunks of {@code range} as being written. If any chunk was clean, its bit is set
   * and written and the device flushed before this returns: the data write may start only then.
   * A chunk already dirty costs no I/O.
   *
   * @return the number of chunks that were newly dirtied (each cost part of one flush)
   * @throws IllegalStateException if a chunk already has COUNTER_MAX writes in flight (the
   *     caller must bound its in-flight writes; nothing is changed)
   * @throws io.clustermd.bitmap.device.DeviceIOException if the bitmap could not be made
   *     durable; the write must not start, and needs no {@link #endWrite}
   */
  public int startWrite(SectorRange range) {
    long first = geometry.firstChunk(range).value();
    long last = geometry.lastChunk(range).value();
    for (long c = first; c <= last; c++) {
      if (ChunkCounters.count(counters.get(c)) == ChunkCounters.COUNTER_MAX) {
        throw new IllegalStateException(
            slot + " chunk" + c + " already has " + (ChunkCounters.COUNTER_MAX - 2)
                + " writes in flight (COUNTER_MAX); bound the writes in flight");
      }
    }
    int newly = 0;
    boolean mustFlush = false;
    for (long c = first; c <= last; c++) {
      int v = counters.get(c);
      int n = ChunkCounters.count(v);
      if (n == 0) {
        setBit(c);
        newly++;
      }
      // A bit set in memory but not yet durable (an earlier flush failed) must be flushed too.
      mustFlush |= !BitmapBits.test(durable, BITS, c);
      if (n <= 1) {
        v = ChunkCounters.withCount(v, 2);
      }
      put(c, ChunkCounters.withCount(v, ChunkCounters.count(v) + 1));
    }
    if (mustFlush) {
      try {
        writeAndFlush();
      } catch (RuntimeException e) {
        // The data write will not happen: undo the in-flight counts. Newly set bits stay set
        // (idle, count 2) until the daemon clears them; a set bit is always safe.
        for (long c = first; c <= last; c++) {
          int v = counters.get(c);
          put(c, ChunkCounters.withCount(v, ChunkCounters.count(v) - 1));
          pending.set((int) c);
        }
        throw e;
      }
    }
    return newly;
  }

  /**
   * The data write of {@code range} (started with {@link #startWrite}) ended. A failed write
   * marks its chunks NEEDED and records events_cleared, as md does; either way, the chunk's bit is
   * cleared by the daemon once the chunk is idle and not NEEDED.
   *
   * @throws IllegalStateException if a chunk has no write in flight (nothing is changed)
   */
  public void endWrite(SectorRange range, WriteOutcome outcome) {
    long first = geometry.firstChunk(range).value();
    long last = geometry.lastChunk(range).value();
    for (long c = first; c <= last; c++) {
      if (ChunkCounters.count(counters.get(c)) < 3) {
        throw new IllegalStateException(
            slot + " chunk" + c + ": endWrite without a matching startWrite");
      }
    }
    if (outcome == WriteOutcome.FAILED) {
      eventsCleared = arrayEvents;
      needSync = true;
    }
    for (long c = first; c <= last; c++) {
      int v = counters.get(c);
      if (outcome == WriteOutcome.FAILED) {
        v |= ChunkCounters.NEEDED;
      }
      v = ChunkCounters.withCount(v, ChunkCounters.count(v) - 1);
      put(c, v);
      if (ChunkCounters.count(v) <= 2) {
        pending.set((int) c);
      }
    }
  }

  // ---------------------------------------------------------------- daemon

  /**
   * md's bitmap daemon: if a period has passed since the last sweep, every idle chunk steps
   * towards clean (2 → 1, then 1 → bit cleared), so a bit is cleared one to two periods after
   * its last write ended; all changed sectors are written and flushed once.
   */
  public DaemonReport daemonTick(long nowNanos) {
    long due = lastSweepNanos + daemonSleepNanos;
    if (nowNanos - due < 0) {
      return new DaemonReport(false, 0, 0, due, "not-due");
    }
    lastSweepNanos = nowNanos;
    if (needSync) {
      needSync = false;
      updateSuperblock(superblock.withEvents(superblock.events(), eventsCleared));
    }
    long cleared = 0;
    for (int c = pending.nextSetBit(0); c >= 0; c = pending.nextSetBit(c + 1)) {
      int v = counters.get(c);
      if (v == 1) {
        put(c, 0);
        clearBit(c);
        pending.clear(c);
        cleared++;
      } else if (v != 2) {
        // Writes in flight, or NEEDED/RESYNC: endWrite or setRegionSync re-arms it.
        pending.clear(c);
      } else {
        put(c, 1);
      }
    }
    long written = dirtySectors.isEmpty() ? 0 : writeAndFlush();
    return new DaemonReport(
        true, cleared, written, nowNanos + daemonSleepNanos,
        cleared > 0 ? "idle-chunks-cleared" : written > 0 ? "superblock-updated" : "nothing-to-clear");
  }

  /** When the next sweep is due, on the caller's clock. */
  public long nextDaemonDueNanos() {
    return lastSweepNanos + daemonSleepNanos;
  }

  // ---------------------------------------------------------------- other slots

  /**
   * Merges {@code other}'s dirty bits into this slot (md's {@code md_bitmap_copy_from_slot}):
   * each dirty chunk becomes dirty and NEEDED here; our bits are written and flushed; then, with
   * {@link ClearBits#CLEAR}, the other slot's bits are cleared and flushed. Ours are durable before
   * theirs are cleared, so a crash in between leaves the chunks dirty in both slots, never in
   * neither (the kernel writes the other slot first).
   *
   * @return the first and last dirty chunk of {@code other}, or empty if it was clean
   * @throws io.clustermd.bitmap.format.MetadataException if {@code other} is beyond {@code nodes}
   *     or its bitmap superblock does not validate (nothing is written then)
   */
  public Optional<ChunkSpan> copyFromSlot(MdSlot other, ClearBits clearBits) {
    if (other.equals(slot)) {
      throw new IllegalArgumentException("cannot copy " + slot + " into itself");
    }
    SlotImage image = MemberStore.readSlot(device, member, other);
    byte[] theirs = image.area().clone();
    long first = -1;
    long last = -1;
    long found = 0;
    BitSet theirDirtySectors = new BitSet();
    long fullBytes = chunks >>> 3;
    for (long b = 0; b <= fullBytes; b++) {
      int idx = (int) (BITS + b);
      if (idx >= theirs.length || theirs[idx] == 0) {
        continue;
      }
      for (int bit = 0; bit < 8; bit++) {
        long c = b * 8 + bit;
        if (c >= chunks || (theirs[idx] & (1 << bit)) == 0) {
          continue;
        }
        if (first < 0) {
          first = c;
        }
        last = c;
        found++;
        mergeDirty(c);
        if (clearBits == ClearBits.CLEAR) {
          BitmapBits.clear(theirs, BITS, c);
          theirDirtySectors.set(idx / SECTOR);
        }
      }
    }
    if (found == 0) {
      return Optional.empty();
    }
    writeAndFlush();
    if (clearBits == ClearBits.CLEAR) {
      long theirOffset = geometry.slotOffsetBytes(other);
      for (int s = theirDirtySectors.nextSetBit(0); s >= 0; s = theirDirtySectors.nextSetBit(s + 1)) {
        int end = theirDirtySectors.nextClearBit(s);
        device.write(theirOffset + (long) s * SECTOR, theirs, s * SECTOR, (end - s) * SECTOR);
        s = end - 1;
      }
      device.flush();
    }
    return Optional.of(new ChunkSpan(ChunkIndex.of(first), ChunkIndex.of(last), found));
  }

  /** md's {@code md_bitmap_set_memory_bits(needed=1)} plus setting our on-disk bit. */
  private void mergeDirty(long c) {
    int v = counters.get(c);
    if (ChunkCounters.count(v) == 0) {
      setBit(c);
      v = ChunkCounters.withCount(v, 2);
      pending.set((int) c);
    }
    put(c, v | ChunkCounters.NEEDED);
  }

  // ---------------------------------------------------------------- RegionLog

  @Override
  public long regionCount() {
    return chunks;
  }

  @Override
  public boolean isClean(ChunkIndex region) {
    geometry.requireChunk(region);
    return ChunkCounters.count(counters.get(region.value())) == 0;
  }

  @Override
  public boolean inSync(ChunkIndex region) {
    geometry.requireChunk(region);
    int v = counters.get(region.value());
    return !ChunkCounters.needed(v) && !ChunkCounters.resync(v);
  }

  @Override
  public Optional<ChunkIndex> nextResyncRegion() {
    int c = needed.nextSetBit(0);
    while (c >= 0 && resyncing.get(c)) {
      c = needed.nextSetBit(c + 1);
    }
    if (c < 0) {
      return Optional.empty();
    }
    int v = counters.get(c);
    put(c, (v | ChunkCounters.RESYNC) & ~ChunkCounters.NEEDED);
    return Optional.of(ChunkIndex.of(c));
  }

  @Override
  public void setRegionSync(ChunkIndex region, SyncOutcome outcome) {
    geometry.requireChunk(region);
    long c = region.value();
    int v = counters.get(c);
    if (!ChunkCounters.resync(v)) {
      throw new IllegalStateException(
          slot + " " + region + ": setRegionSync without nextResyncRegion handing it out");
    }
    v &= ~ChunkCounters.RESYNC;
    if (outcome == SyncOutcome.ABORTED) {
      v |= ChunkCounters.NEEDED;
    }
    put(c, v);
    if (v <= 2) {
      pending.set((int) c);
    }
  }

  @Override
  public long countInSync() {
    return chunks - outOfSync;
  }

  @Override
  public void flush() {
    if (!dirtySectors.isEmpty()) {
      writeAndFlush();
    }
  }

  // ---------------------------------------------------------------- superblock

  /** Records the array's event count; written with the next bitmap flush (md's update_sb). */
  public void setEvents(long events) {
    arrayEvents = events;
    updateSuperblock(superblock.withEvents(events, superblock.eventsCleared()));
  }

  public BitmapSuperblock superblock() {
    return superblock;
  }

  private void updateSuperblock(BitmapSuperblock next) {
    superblock = next;
    next.encodeInto(area, 0);
    dirtySectors.set(0);
  }

  // ---------------------------------------------------------------- queries

  public MdSlot slot() {
    return slot;
  }

  public BitmapGeometry geometry() {
    return geometry;
  }

  /** Whether the chunk's bit is set in what we know to be durable. */
  public boolean isDirtyOnDisk(ChunkIndex c) {
    geometry.requireChunk(c);
    return BitmapBits.test(durable, BITS, c.value());
  }

  /** Writes in flight on a chunk (0 when idle or clean). */
  public int writesInFlight(ChunkIndex c) {
    geometry.requireChunk(c);
    return Math.max(0, ChunkCounters.count(counters.get(c.value())) - 2);
  }

  /** Dirty chunks in memory. */
  public long dirtyChunks() {
    return BitmapBits.countDirty(area, BITS, chunks);
  }

  /**
   * Checks the invariants (CONVENTIONS.md §7); throws naming the chunk and values on violation.
   * O(bitmap size): for tests and the simulator after every step.
   */
  public void checkInvariants() {
    long flagged = 0;
    for (long c = 0; c < chunks; c++) {
      int v = counters.get(c);
      int n = ChunkCounters.count(v);
      boolean bit = BitmapBits.test(area, BITS, c);
      if ((n == 0) == bit) {
        throw violation(c, v, "count 0 must mean bit clear and vice versa (bit=" + bit + ")");
      }
      if (n >= 3 && !BitmapBits.test(durable, BITS, c)) {
        throw violation(c, v, "a write is in flight but the chunk's bit is not durable");
      }
      if (ChunkCounters.needed(v) != needed.get((int) c)
          || ChunkCounters.resync(v) != resyncing.get((int) c)) {
        throw violation(c, v, "flag index out of step");
      }
      if (ChunkCounters.needed(v) || ChunkCounters.resync(v)) {
        flagged++;
        if (n == 0) {
          throw violation(c, v, "NEEDED/RESYNC on a clean chunk");
        }
      }
      if (n > 0 && n <= 2 && v == n && !pending.get((int) c)) {
        throw violation(c, v, "an idle dirty chunk must be pending for the daemon");
      }
    }
    if (flagged != outOfSync) {
      throw new IllegalStateException(
          slot + ": out-of-sync count " + outOfSync + " but " + flagged + " chunks flagged");
    }
    for (int s = 0; s * SECTOR < area.length; s++) {
      if (!dirtySectors.get(s)
          && !Arrays.equals(area, s * SECTOR, (s + 1) * SECTOR, durable, s * SECTOR, (s + 1) * SECTOR)) {
        throw new IllegalStateException(slot + ": sector " + s + " changed but not marked dirty");
      }
    }
    if (!BitmapSuperblock.decode(area, 0).superblock().equals(superblock)) {
      throw new IllegalStateException(slot + ": superblock bytes out of step with the record");
    }
  }

  private IllegalStateException violation(long c, int v, String what) {
    return new IllegalStateException(
        slot + " chunk" + c + " counter=0x" + Integer.toHexString(v) + ": " + what);
  }

  // ---------------------------------------------------------------- internals

  private void put(long c, int v) {
    int old = counters.get(c);
    boolean wasOut = ChunkCounters.needed(old) || ChunkCounters.resync(old);
    boolean isOut = ChunkCounters.needed(v) || ChunkCounters.resync(v);
    counters.set(c, v);
    needed.set((int) c, ChunkCounters.needed(v));
    resyncing.set((int) c, ChunkCounters.resync(v));
    outOfSync += (isOut ? 1 : 0) - (wasOut ? 1 : 0);
  }

  private void setBit(long c) {
    BitmapBits.set(area, BITS, c);
    dirtySectors.set((int) ((BITS + (c >>> 3)) / SECTOR));
  }

  private void clearBit(long c) {
    BitmapBits.clear(area, BITS, c);
    dirtySectors.set((int) ((BITS + (c >>> 3)) / SECTOR));
  }

  /** Writes every dirty sector (coalesced into runs), flushes, then records them as durable. */
  private long writeAndFlush() {
    long sectors = 0;
    for (int s = dirtySectors.nextSetBit(0); s >= 0; s = dirtySectors.nextSetBit(s + 1)) {
      int end = dirtySectors.nextClearBit(s);
      device.write(areaOffset + (long) s * SECTOR, area, s * SECTOR, (end - s) * SECTOR);
      sectors += end - s;
      s = end - 1;
    }
    device.flush();
    for (int s = dirtySectors.nextSetBit(0); s >= 0; s = dirtySectors.nextSetBit(s + 1)) {
      System.arraycopy(area, s * SECTOR, durable, s * SECTOR, SECTOR);
    }
    dirtySectors.clear();
    return sectors;
  }
}
