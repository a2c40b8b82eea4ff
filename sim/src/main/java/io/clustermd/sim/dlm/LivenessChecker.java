package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.Lock;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.cluster.LockspaceNode;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.sim.Checker;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.WorldView;
import java.util.List;
import java.util.Map;

/**
 * (b) Once faults stop, everything settles (dlm.md §10.4): at the end of the quiet period, in which the
 * workload cancels what waits and unlocks what is held, every live node runs its lockspace in the
 * cluster's membership, every accepted operation of a live node has its completion, no lock is left, and
 * no master keeps a copy of any lock.
 */
final class LivenessChecker implements Checker {

    private final DlmModel model;

    LivenessChecker(DlmModel model) {
        this.model = model;
    }

    @Override
    public String name() {
        return "dlm-liveness";
    }

    @Override
    public void afterEvent(WorldView world) {
    }

    @Override
    public void atEnd(WorldView world) {
        List<NodeId> members = world.members().stream().map(DlmModel::nodeId).toList();
        for (SimNodeId id : world.alive()) {
            DlmModel.NodeState n = model.node(id);
            LockspaceNode node = n.node;
            Checker.require(node.isRunning() && node.agreedView() != null
                    && node.agreedView().members().equals(members.stream().sorted().toList()),
                    id + " is not running the lockspace in the cluster's membership " + members + ": "
                            + node.describe());
            for (LockRecord r : n.locks.values()) {
                Checker.require(r.ended && r.ops.isEmpty(), "at the end of the quiet period " + r + " is not done ("
                        + world.faultsEndMillis() + " ms faults stopped, now " + world.now() + " ms): "
                        + node.describe());
            }
            for (Map.Entry<ResourceName, List<Lock>> e : node.masteredLocks().entrySet()) {
                Checker.require(e.getValue().isEmpty(), id + " still masters locks on " + e.getKey() + ": "
                        + e.getValue());
            }
        }
    }
}
