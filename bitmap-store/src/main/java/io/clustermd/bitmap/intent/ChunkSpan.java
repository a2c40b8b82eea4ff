package io.clustermd.bitmap.intent;

import io.clustermd.bitmap.format.ChunkIndex;

/**
 * The first and last dirty chunk found by {@link WriteIntentBitmap#copyFromSlot}. Tracked with an
 * explicit "found" (an {@code Optional}), unlike md's {@code lo = 0 means unset} (mdcluster.md §9
 * pitfall 18), so a slot whose only dirty chunk is chunk 0 is reported.
 */
public record ChunkSpan(ChunkIndex first, ChunkIndex last, long dirtyChunks) {
  public ChunkSpan {
    if (last.compareTo(first) < 0) {
      throw new IllegalArgumentException("last " + last + " before first " + first);
    }
  }
}
