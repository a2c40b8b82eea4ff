package io.clustermd.bitmap.intent;

/** Whether {@link WriteIntentBitmap#copyFromSlot} clears the source slot's bits after merging. */
public enum ClearBits {
  /** Recovery of a dead node: its bits move to us and its slot is left clean. */
  CLEAR,
  /** Re-add / gathering: read another slot's bits and leave them in place. */
  KEEP
}
