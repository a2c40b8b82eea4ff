package io.clustermd.bitmap.intent;

/** How a data write covered by {@link WriteIntentBitmap#startWrite} ended. */
public enum WriteOutcome {
  /** Every mirror has the data: the chunk may be cleared once idle. */
  SUCCEEDED,
  /** Some mirror missed it: the chunk is NEEDED (must be resynced) and stays dirty. */
  FAILED
}
