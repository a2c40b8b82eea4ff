package io.clustermd.sim;

/**
 * Everything the event loop can run. Events aimed at one node ({@link NodeEvent}) are held while that
 * node is paused and dropped once it is dead; that single rule gives SIGSTOP semantics to messages,
 * timers, view changes and the node's own failure detector alike.
 */
public sealed interface SimEvent {

    /** An event processed by one node incarnation. */
    sealed interface NodeEvent extends SimEvent {
        SimNodeId node();
    }

    /** A message reaches the receiver's network stack. */
    record MessageArrives(Envelope<?> envelope) implements NodeEvent {
        @Override
        public SimNodeId node() {
            return envelope.to();
        }
    }

    /** A timer the node's process set. */
    record TimerFires(SimNodeId node, long timerId, Object token) implements NodeEvent {}

    /** The node learns one membership change (gossip reached it). */
    record ViewNotice(SimNodeId node, MemberEvent change) implements NodeEvent {}

    /** The workload hands a request to the node's process (a local client call: no network). */
    record ClientRequest(SimNodeId node, Object request) implements NodeEvent {}

    /** The node's failure detector flips its opinion of {@code subject} (generation-checked). */
    record DetectorFlip(SimNodeId node, SimNodeId subject, long generation) implements NodeEvent {}

    /** The node's split brain resolver checks whether its unreachable set was stable for stable-after. */
    record ResolverCheck(SimNodeId node, long generation) implements NodeEvent {}

    /** The leader moves a joining node to Up. */
    record JoinCompletes(SimNodeId joiner) implements SimEvent {}

    /** The leader moves a leaving node to Exiting and then Removed. */
    record LeaveCompletes(SimNodeId leaver) implements SimEvent {}

    /** A step of the fault schedule. */
    record NemesisStep(Nemesis.Action action) implements SimEvent {}

    /** A timer the workload driver set. */
    record WorkloadTimer(Object token) implements SimEvent {}
}
