package io.clustermd.messaging.core;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.message.Message;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * What a node's communication core is told: local requests (each with a ticket the shell chose),
 * lock completions and blocking callbacks from the DLM, the handler's answers, and ticks. Every
 * input comes with the current time; the core never reads a clock.
 */
public sealed interface CommInput {

  /** Join the array's communication (mdcluster.md §5.1 steps 5–6). */
  record Join(long ticket) implements CommInput {}

  /** The node can process messages now; those that arrived since join were held (§3.5). */
  record Ready(long ticket) implements CommInput {}

  /** Leave: finish what runs, then unlock every lock (§5.4). */
  record Leave(long ticket) implements CommInput {}

  /** Broadcast: own communication (token EX), send, release (the kernel's {@code sendmsg}). */
  record Send(long ticket, Message message) implements CommInput {}

  /** Own communication and keep it ({@code lock_comm}) for a multi-step operation. */
  record LockToken(long ticket) implements CommInput {}

  /** Broadcast under a held token ("send locked already"). */
  record SendHeld(long ticket, long hold, Message message) implements CommInput {}

  /** Under a held token: {@code no-new-dev} EX with NOQUEUE, then back to CR (§5.6 initiator step 2). */
  record ClaimNoNewDev(long ticket, long hold) implements CommInput {}

  /** Release a held token ({@code unlock_comm}). */
  record UnlockToken(long ticket, long hold) implements CommInput {}

  /** The answer to a NEWDISK this node is processing: the disk was found (confirm) or not (nack). */
  record NewDiskAnswer(long ticket, boolean found) implements CommInput {}

  /**
   * A lock operation completed.
   *
   * @param mode the lock's mode afterwards; null when the lock is gone
   * @param lvb a copy of the lock's LVB buffer after the completion (null for locks without one)
   */
  record LockDone(CommLock lock, DlmStatus status, LockMode mode, byte[] lvb, boolean valueNotValid)
      implements CommInput {

    @Override
    public String toString() {
      return "done " + lock + " " + status + " mode=" + mode + (valueNotValid ? " VALNOTVALID" : "");
    }
  }

  /** A lock operation was refused synchronously ({@code DlmException}): it never started. */
  record LockRefused(CommLock lock, String reason) implements CommInput {}

  /** A blocking callback: some lock waits for {@code mode}, which this node's {@code lock} blocks. */
  record Blocking(CommLock lock, LockMode mode) implements CommInput {}

  /** The handler processed message {@code seq}. */
  record Processed(long seq) implements CommInput {}

  /** The handler failed on message {@code seq}: this node will not ack it. */
  record ProcessingFailed(long seq, String reason) implements CommInput {}

  /**
   * The receipts read after an ack timeout.
   *
   * @param lvbs per slot the receipt LVB read, or null when it could not be read
   */
  record ReceiptsRead(Map<MdSlot, byte[]> lvbs) implements CommInput {
    public ReceiptsRead {
      lvbs = Collections.unmodifiableMap(new HashMap<>(lvbs));
    }
  }

  /** Time passed: deadlines may have expired. */
  record Tick() implements CommInput {}
}
