package io.clustermd.dlm.core.cluster;

import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.LockResource.LockSnapshot;
import io.clustermd.dlm.core.ResourceName;
import java.util.List;

/**
 * Everything one lockspace member sends another (dlm.md §11.3 and the RCOM messages of §10.3), as
 * plain records: the Akka shell maps them to protobuf, the simulator passes them as they are. A
 * holder's lock id is its own; the master answers with the id of its master copy ({@code remid}).
 */
public sealed interface DlmMessage {

  /** Messages saved during recovery and replayed after it (fs/dlm's request queue). */
  sealed interface Normal extends DlmMessage {}

  /** Directory operations: dropped, not replayed, when recovery rebuilds the directory. */
  sealed interface DirectoryOp extends Normal {}

  /** Recovery messages, tagged with the member set of the run they belong to. */
  sealed interface Recovery extends DlmMessage {
    List<NodeId> members();
  }

  // ---- directory ------------------------------------------------------------------------------

  /** Who masters {@code name}? The directory records the asker when nobody does (§11.2). */
  record Lookup(ResourceName name) implements DirectoryOp {}

  /** @param master the master, or null when the receiver is not the directory node: ask again later */
  record LookupReply(ResourceName name, NodeId master) implements DirectoryOp {}

  /** The master dropped an unused resource (§11.2, toss). */
  record Remove(ResourceName name) implements DirectoryOp {}

  // ---- holder to master ----------------------------------------------------------------------

  record Request(
      LockId holderId, ResourceName name, LockMode mode, int flags, byte[] lvb, boolean wantsBast)
      implements Normal {}

  /** @param replyWanted false for a down-conversion, which the holder completes at once (§3.3) */
  record Convert(
      LockId masterId, LockId holderId, ResourceName name, LockMode mode, int flags, byte[] lvb, boolean replyWanted)
      implements Normal {}

  record Unlock(LockId masterId, LockId holderId, ResourceName name, int flags, byte[] lvb) implements Normal {}

  record Cancel(LockId masterId, LockId holderId, ResourceName name) implements Normal {}

  // ---- master to holder ----------------------------------------------------------------------

  /** What became of a holder's operation at the master. */
  enum Outcome {
    /** Completed now; the completion fields are set. */
    COMPLETED,
    /** Queued; a Grant follows when it is granted. */
    QUEUED,
    /** A cancel found nothing to cancel: it lost to a grant, which was sent before this reply. */
    NOTHING,
    /** The receiver does not master the resource (stale master, or it was released): look up again. */
    NOT_MASTER,
    /** The master refused the operation; {@code error} and {@code reason} say why. */
    REJECTED
  }

  /** Which operation a reply answers. */
  enum Operation {
    REQUEST,
    CONVERT,
    UNLOCK,
    CANCEL
  }

  record Reply(
      Operation operation,
      LockId holderId,
      LockId masterId,
      ResourceName name,
      Outcome outcome,
      DlmStatus status,
      LockMode mode,
      int sbFlags,
      byte[] lvb,
      int lvbSequence,
      DlmError error,
      String reason)
      implements Normal {}

  /** A queued request or conversion was granted (§4.3 step 3). */
  record Grant(
      LockId holderId, ResourceName name, DlmStatus status, LockMode mode, int sbFlags, byte[] lvb, int lvbSequence)
      implements Normal {}

  /** A blocking AST for the holder's lock (§5.2). */
  record Bast(LockId holderId, ResourceName name, LockMode mode) implements Normal {}

  // ---- recovery (§10) -------------------------------------------------------------------------

  /** Each member to the coordinator: I have stopped in this view; my slot, generation, LVB length. */
  record Status(List<NodeId> members, int slot, long generation, int lvbLength) implements Recovery {}

  /** Coordinator to all: everyone stopped; the slot table; rebuild the directory. */
  record StartDirectory(List<NodeId> members, List<Slot> slots, long generation) implements Recovery {}

  /** A master tells a directory node which resources it masters whose directory node is now that one. */
  record DirectoryNames(List<NodeId> members, List<ResourceName> names) implements Recovery {}

  /** The recovery phases a member reports as done to the coordinator. */
  enum Phase {
    DIRECTORY,
    LOCKS
  }

  record PhaseDone(List<NodeId> members, Phase phase) implements Recovery {}

  /** Coordinator to all: the directory is complete everywhere; re-master and resend locks. */
  record StartMasters(List<NodeId> members) implements Recovery {}

  /** Who masters {@code name} now that its master departed? The first to ask becomes master. */
  record RecoveryLookup(List<NodeId> members, ResourceName name) implements Recovery {}

  record RecoveryLookupReply(List<NodeId> members, ResourceName name, NodeId master) implements Recovery {}

  /** A survivor's locks on a re-mastered resource (fs/dlm RCOM_LOCK). */
  record RecoverLocks(List<NodeId> members, ResourceName name, List<LockSnapshot> locks) implements Recovery {}

  /** The new master's ids for the restored locks, pairwise with the holder's. */
  record RecoverLocksAck(List<NodeId> members, ResourceName name, List<LockId> holderIds, List<LockId> masterIds)
      implements Recovery {}

  /** Coordinator to all: every lock is where it belongs; resume. */
  record Resume(List<NodeId> members, List<Slot> slots, long generation) implements Recovery {}

  /** Coordinator to a would-be member whose lockspace settings differ (§8: -EPROTO). */
  record JoinRefused(List<NodeId> members, String reason) implements Recovery {}
}
