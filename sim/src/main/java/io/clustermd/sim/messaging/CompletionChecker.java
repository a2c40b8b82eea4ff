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
 *
 * <p>Broadcasts are serial and some are slow by design (a NEWDISK that a node never confirms takes the 5 s
 * confirmation bound, a slow handler up to 4 s), so a dozen sends queued when faults stop can outlast the
 * quiet period while every one of them completes. The run then goes on while sends keep succeeding, at
 * most {@link #PROGRESS_GAP_MILLIS} apart; a stuck broadcast succeeds nothing, so its run ends on time and
 * fails here.
 */
final class CompletionChecker implements Checker {

    /** The longest wait for the next successful send while sends are outstanding after faults stop. */
    static final long PROGRESS_GAP_MILLIS = 10_000;

    private final MessagingModel model;
    private final long durationMillis;

    CompletionChecker(MessagingModel model, long durationMillis) {
        this.model = model;
        this.durationMillis = durationMillis;
    }

    @Override
    public String name() {
        return "messaging-completion";
    }

    @Override
    public void afterEvent(WorldView world) {
    }

    @Override
    public long settleUntilMillis(WorldView world) {
        if (problem(world) == null) {
            return Long.MIN_VALUE;
        }
        return Math.max(world.faultsEndMillis(), model.lastSentAt()) + PROGRESS_GAP_MILLIS;
    }

    @Override
    public void atEnd(WorldView world) {
        String problem = problem(world);
        Checker.require(problem == null, problem + (world.now() > durationMillis
                ? " (the run went on past its duration while sends succeeded; the last at " + model.lastSentAt() + " ms)"
                : ""));
    }

    /** What is not complete or not idle, or null when the end state holds. */
    private String problem(WorldView world) {
        for (MessagingModel.SendRecord r : model.sends()) {
            if (r.sender == null || !world.canAct(r.sender)) {
                continue;
            }
            if (!r.finished) {
                return "send " + r.describe() + " (requested at " + r.requestedAt + " ms) never completed"
                        + " (faults stopped at " + world.faultsEndMillis() + " ms, now " + world.now() + " ms): "
                        + describe(model.node(r.sender)) + othersThan(r.sender, world);
            }
            if (r.failure != null && !r.failure.contains(r.message.type().name()) && !r.failure.contains("m" + r.id)) {
                return "send " + r.describe() + " failed with an error that does not name the message: " + r.failure;
            }
        }
        List<NodeId> members = world.members().stream().map(LockspaceHost::nodeId).sorted().toList();
        for (SimNodeId id : world.alive()) {
            MessagingModel.NodeState n = model.node(id);
            LockspaceNode dlm = n.process.lockspace();
            if (!dlm.isRunning() || dlm.agreedView() == null || !dlm.agreedView().members().equals(members)) {
                return id + " is not running the lockspace in the cluster's membership " + members + ": " + dlm.describe();
            }
            if (n.core == null || n.core.state() != CommCore.State.READY) {
                return id + " is not ready to communicate at the end: " + describe(n);
            }
            if (!n.core.isIdle() || n.process.handlerBusy()) {
                return id + " is stuck at the end of the quiet period: " + describe(n) + othersThan(id, world);
            }
        }
        return null;
    }

    /** The other live nodes' communication, for a report about a stuck one. */
    private String othersThan(SimNodeId id, WorldView world) {
        StringBuilder b = new StringBuilder();
        for (SimNodeId other : world.alive()) {
            if (!other.equals(id)) {
                b.append("\n    ").append(other).append(": ").append(describe(model.node(other)));
            }
        }
        return b.isEmpty() ? "" : "; the other live nodes:" + b;
    }

    private static String describe(MessagingModel.NodeState n) {
        return n.core == null ? n.id + " has no communication core (never got its DLM slot)" : n.core.describe();
    }
}
