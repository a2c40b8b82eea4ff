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

  /** Recovery messages of a run the coordinator has started: tagged with its id. */
  sealed interface InRun extends Recovery {
    RunId run();

    @Override
    default List<NodeId> members() {
      return run().members();
    }
  }

  /**
   * A recovery run: its members and the coordinator's stop epoch when it started the run. The
   * same member set can recover twice in a row (a member joined and died before some saw it), so
   * the set alone does not identify a run.
   */
  record RunId(List<NodeId> members, long coordinatorEpoch) {}

  // ---- directory ------------------------------------------------------------------------------

  /** Who masters {@code name}? The directory records the asker when nobody does (§11.2). */
  record Lookup(ResourceName name) implements DirectoryOp {}

  /** @param master the master, or null when the receiver is not the directory node: ask again later */
  record LookupReply(ResourceName name, NodeId master) implements DirectoryOp {}

  /** The master dropped an unused resource (§11.2, toss). */
  record Remove(ResourceName name) implements DirectoryOp {}

  // ---- holder to master ----------------------------------------------------------------------

  // A holder's LVB buffer changes after a send (a grant copies into it); a message is a snapshot of it
  // at the send, as fs/dlm copies it into the message (sim seed 86: an unlock in flight wrote the value a
  // later grant had copied into the holder's buffer).

  record Request(
      LockId holderId, ResourceName name, LockMode mode, int flags, byte[] lvb, boolean wantsBast)
      implements Normal {
    public Request {
      lvb = lvb == null ? null : lvb.clone();
    }
  }

  /** @param replyWanted false for a down-conversion, which the holder completes at once (§3.3) */
  record Convert(
      LockId masterId, LockId holderId, ResourceName name, LockMode mode, int flags, byte[] lvb, boolean replyWanted)
      implements Normal {
    public Convert {
      lvb = lvb == null ? null : lvb.clone();
    }
  }

  record Unlock(LockId masterId, LockId holderId, ResourceName name, int flags, byte[] lvb) implements Normal {
    public Unlock {
      lvb = lvb == null ? null : lvb.clone();
    }
  }

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

  /**
   * Each member to every other: I have stopped (for the {@code epoch}-th time) in this view; my
   * slot, generation and LVB length. A running member that receives it for its own view stops and
   * joins the run; the coordinator starts the run once it has every member's.
   */
  record Status(List<NodeId> members, int slot, long generation, int lvbLength, long epoch) implements Recovery {}

  /** Coordinator to all: everyone stopped (at these epochs); the slot table; rebuild the directory. */
  record StartDirectory(RunId run, List<Slot> slots, long generation, List<NodeId> epochNodes, List<Long> epochs)
      implements InRun {}

  /** A master tells a directory node which resources it masters whose directory node is now that one. */
  record DirectoryNames(RunId run, List<ResourceName> names) implements InRun {}

  /** The recovery phases a member reports as done to the coordinator. */
  enum Phase {
    DIRECTORY,
    LOCKS
  }

  record PhaseDone(RunId run, Phase phase) implements InRun {}

  /** Coordinator to all: the directory is complete everywhere; re-master and resend locks. */
  record StartMasters(RunId run) implements InRun {}

  /** Who masters {@code name} now that its master departed? The first to ask becomes master. */
  record RecoveryLookup(RunId run, ResourceName name) implements InRun {}

  record RecoveryLookupReply(RunId run, ResourceName name, NodeId master) implements InRun {}

  /** A survivor's locks on a re-mastered resource (fs/dlm RCOM_LOCK). */
  record RecoverLocks(RunId run, ResourceName name, List<LockSnapshot> locks) implements InRun {}

  /** The new master's ids for the restored locks, pairwise with the holder's. */
  record RecoverLocksAck(RunId run, ResourceName name, List<LockId> holderIds, List<LockId> masterIds)
      implements InRun {}

  /** Coordinator to all: every lock is where it belongs; resume. */
  record Resume(RunId run, List<Slot> slots, long generation) implements InRun {}

  /** Coordinator to a would-be member whose lockspace settings differ (§8: -EPROTO). */
  record JoinRefused(List<NodeId> members, String reason) implements Recovery {}
}
