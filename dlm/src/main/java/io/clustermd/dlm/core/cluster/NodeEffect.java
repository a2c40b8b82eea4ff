package io.clustermd.dlm.core.cluster;

import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import java.util.List;

/** What a lockspace member asks its shell to do. */
public sealed interface NodeEffect {

  /** Send a message to another member (over the reliable link). */
  record Send(NodeId to, DlmMessage message) implements NodeEffect {}

  /**
   * A local client's operation completed (one per accepted operation, in order per lock).
   *
   * @param lvb the LVB read by the grant (already in the holder's copy), or null
   */
  record Completed(LockId lock, DlmStatus status, LockMode mode, int sbFlags, byte[] lvb) implements NodeEffect {}

  /** A local client's lock is blocking another (already filtered as the callback layer does). */
  record Blocked(LockId lock, LockMode mode) implements NodeEffect {}

  /** The master refused an operation the holder had accepted; the operation fails with this error. */
  record Failed(LockId lock, DlmError error, String reason) implements NodeEffect {}

  /** Locking stopped for a membership change (dlm.md §9.3 recover_prep). */
  record RecoverPrep() implements NodeEffect {}

  /** A member failed; its slot must be recovered (recover_slot). */
  record RecoverSlot(NodeId node, int slot) implements NodeEffect {}

  /** Recovery finished (recover_done): every member's slot, ours, and the generation. */
  record RecoverDone(List<Slot> slots, int ourSlot, long generation) implements NodeEffect {}

  /** This node may not join: its lockspace settings differ from the members'. */
  record JoinRefused(String reason) implements NodeEffect {}

  /** Every lock of ours is released: the shell may now leave the cluster (clean leave). */
  record ReadyToLeave() implements NodeEffect {}
}
