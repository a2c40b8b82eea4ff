package io.clustermd.bitmap.intent;

/** How the resync of one region ended ({@link RegionLog#setRegionSync}). */
public enum SyncOutcome {
  /** The mirrors now agree on the region. */
  IN_SYNC,
  /** The resync was aborted or failed: the region is NEEDED again. */
  ABORTED
}
