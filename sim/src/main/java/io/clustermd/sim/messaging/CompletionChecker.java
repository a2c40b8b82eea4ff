package io.clustermd.sim.messaging;

import io.clustermd.dlm.core.cluster.LockspaceNode;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.messaging.core.CommCore;
import io.clustermd.sim.Checker;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.WorldView;
import java.util.List;

/**
 * (5) Once faults stop: at the end of the quiet period every send a live node's core took has completed,
 * OK or with an error that names the message, and no node is stuck: every live node runs its lockspace in
 * the cluster's membership and its communication is ready and idle (no owner, no receiver, nothing queued
 * or in flight, the handler done).
 */
final class CompletionChecker implements Checker {

    private final MessagingModel model;

    CompletionChecker(MessagingModel model) {
        this.model = model;
    }

    @Override
    public String name() {
        return "messaging-completion";
    }

    @Override
    public void afterEvent(WorldView world) {
    }

    @Override
    public void atEnd(WorldView world) {
        for (MessagingModel.SendRecord r : model.sends()) {
            if (r.sender == null || !world.canAct(r.sender)) {
                continue;
            }
            Checker.require(r.finished, "send " + r.describe() + " (requested at " + r.requestedAt + " ms) never completed"
                    + " (faults stopped at " + world.faultsEndMillis() + " ms, now " + world.now() + " ms): "
                    + describe(model.node(r.sender)));
            if (r.failure != null) {
                Checker.require(r.failure.contains(r.message.type().name()) || r.failure.contains("m" + r.id),
                        "send " + r.describe() + " failed with an error that does not name the message: " + r.failure);
            }
        }
        List<NodeId> members = world.members().stream().map(LockspaceHost::nodeId).sorted().toList();
        for (SimNodeId id : world.alive()) {
            MessagingModel.NodeState n = model.node(id);
            LockspaceNode dlm = n.process.lockspace();
            Checker.require(dlm.isRunning() && dlm.agreedView() != null
                            && dlm.agreedView().members().equals(members),
                    id + " is not running the lockspace in the cluster's membership " + members + ": " + dlm.describe());
            Checker.require(n.core != null && n.core.state() == CommCore.State.READY,
                    id + " is not ready to communicate at the end: " + describe(n));
            Checker.require(n.core.isIdle() && !n.process.handlerBusy(),
                    id + " is stuck at the end of the quiet period: " + describe(n));
        }
    }

    private static String describe(MessagingModel.NodeState n) {
        return n.core == null ? n.id + " has no communication core (never got its DLM slot)" : n.core.describe();
    }
}
