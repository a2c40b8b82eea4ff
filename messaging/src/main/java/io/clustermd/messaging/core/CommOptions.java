package io.clustermd.messaging.core;

/**
 * Bounds of every wait in communication (CONVENTIONS.md §6); each expiry surfaces as an error.
 *
 * @param lockMillisMax one DLM lock operation (the kernel's {@code WAIT_DLM_LOCK_TIMEOUT}, 30 s):
 *     the token, the message, the ack that waits for every other node; a timed-out operation is
 *     cancelled, and the cancel is bounded by the same limit
 * @param newDiskConfirmMillisMax a receiver's wait for the confirmation of a NEWDISK
 *     ({@code NEW_DEV_TIMEOUT}, 5 s); on expiry it acks without accepting the disk
 * @param processMillisMax a receiver's wait for its handler; on expiry it does not ack
 * @param localWaitMillisMax a local send's wait for its turn behind other local senders, before it
 *     even asks for the token
 * @param localQueueMax local senders that may wait for their turn; more are refused at once
 */
public record CommOptions(
    long lockMillisMax,
    long newDiskConfirmMillisMax,
    long processMillisMax,
    long localWaitMillisMax,
    int localQueueMax) {

  public CommOptions {
    positive(lockMillisMax, "lockMillisMax");
    positive(newDiskConfirmMillisMax, "newDiskConfirmMillisMax");
    positive(processMillisMax, "processMillisMax");
    positive(localWaitMillisMax, "localWaitMillisMax");
    positive(localQueueMax, "localQueueMax");
  }

  /** 30 s per lock operation, 5 s for a NEWDISK confirmation, 20 s per handler, 60 s local wait, 256 queued. */
  public static CommOptions defaults() {
    return new CommOptions(30_000, 5_000, 20_000, 60_000, 256);
  }

  public CommOptions withLockMillisMax(long v) {
    return new CommOptions(v, newDiskConfirmMillisMax, processMillisMax, localWaitMillisMax, localQueueMax);
  }

  public CommOptions withNewDiskConfirmMillisMax(long v) {
    return new CommOptions(lockMillisMax, v, processMillisMax, localWaitMillisMax, localQueueMax);
  }

  public CommOptions withProcessMillisMax(long v) {
    return new CommOptions(lockMillisMax, newDiskConfirmMillisMax, v, localWaitMillisMax, localQueueMax);
  }

  public CommOptions withLocalWaitMillisMax(long v) {
    return new CommOptions(lockMillisMax, newDiskConfirmMillisMax, processMillisMax, v, localQueueMax);
  }

  public CommOptions withLocalQueueMax(int v) {
    return new CommOptions(lockMillisMax, newDiskConfirmMillisMax, processMillisMax, localWaitMillisMax, v);
  }

  private static void positive(long v, String name) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be > 0: " + v);
    }
  }
}
