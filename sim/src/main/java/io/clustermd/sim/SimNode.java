package io.clustermd.sim;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/** One incarnation's state in the world: its process, status, view and what it holds while paused. */
final class SimNode<M> {

    final SimNodeId id;
    final SimProcess<M> process;
    NodeStatus status = NodeStatus.RUNNING;
    View view;
    /** Events that reached the node while it was paused, in arrival order. */
    final ArrayDeque<SimEvent.NodeEvent> held = new ArrayDeque<>();
    final Set<Long> cancelledTimers = new HashSet<>();
    ProcessContext<M> context;

    SimNode(SimNodeId id, SimProcess<M> process, View view) {
        this.id = id;
        this.process = process;
        this.view = view;
    }
}
