package io.clustermd.messaging.core;

/** What a local request completes with. */
public sealed interface Outcome {

  /** A broadcast every other node processed; {@code seq} is its place in the cluster-wide order. */
  record Sent(long seq) implements Outcome {}

  /** The token is held for a multi-step operation until {@link CommInput.UnlockToken} with this hold. */
  record Held(long hold) implements Outcome {}

  /** {@code no-new-dev} EX with NOQUEUE: granted (every node accepted the disk) or not. */
  record Claimed(boolean granted) implements Outcome {}

  /** Join, ready, leave, unlock, a new-disk answer: done. */
  record Done() implements Outcome {}
}
