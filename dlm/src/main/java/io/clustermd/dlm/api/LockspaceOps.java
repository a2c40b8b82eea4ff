package io.clustermd.dlm.api;

import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.Slot;
import java.util.List;

/**
 * The recovery callbacks of a distributed lockspace ({@code struct dlm_lockspace_ops}, dlm.md
 * §9.3). They run in order on the lockspace's callback executor, never concurrently.
 */
public interface LockspaceOps {

  /** Locking stopped for a membership change; requests made now complete after recovery. */
  default void recoverPrep() {}

  /** {@code node} failed (it did not leave cleanly) and held {@code slot}: recover what it owned. */
  default void recoverSlot(NodeId node, int slot) {}

  /** Recovery finished: every member's slot, ours, and the lockspace generation. */
  default void recoverDone(List<Slot> slots, int ourSlot, long generation) {}

  /** The lockspace is unusable here: this node was removed from the cluster, or refused. */
  default void removed(String why) {}

  LockspaceOps NONE = new LockspaceOps() {};
}
