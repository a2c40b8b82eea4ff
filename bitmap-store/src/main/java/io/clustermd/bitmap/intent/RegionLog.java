package io.clustermd.bitmap.intent;

import io.clustermd.bitmap.format.ChunkIndex;
import java.util.Optional;

/**
 * The resync-facing view of a write-intent bitmap, in the spirit of device-mapper's dirty log
 * ({@code dm-dirty-log.h}: is_clean, in_sync, get_resync_work, set_region_sync,
 * get_sync_count, flush). A region is one bitmap chunk.
 */
public interface RegionLog {

  /** Number of regions (chunks). */
  long regionCount();

  /** Whether the region's bit is clear: no write may be outstanding there. */
  boolean isClean(ChunkIndex region);

  /** Whether the mirrors are known to agree on the region (not NEEDED, not being resynced). */
  boolean inSync(ChunkIndex region);

  /**
   * The lowest region that needs a resync and is not already being resynced; it is marked as
   * being resynced (md's {@code bitmap_start_sync}). Empty when nothing needs a resync.
   */
  Optional<ChunkIndex> nextResyncRegion();

  /**
   * Ends the resync of {@code region} (md's {@code bitmap_end_sync}): in sync lets the daemon
   * clear its bit once idle; aborted makes it NEEDED again.
   */
  void setRegionSync(ChunkIndex region, SyncOutcome outcome);

  /** Regions in sync. */
  long countInSync();

  /** Writes every pending bitmap change and makes it durable. */
  void flush();
}
