package io.clustermd.sim;

/**
 * One membership change as a node learns it, named after Akka Cluster's events (akka.md §6).
 * Protocols can tell a clean leave from a failure by {@link MemberRemoved#previousStatus()}.
 */
public sealed interface MemberEvent {

    SimNodeId member();

    /** The member became Up: it is in the view from now on. */
    record MemberUp(SimNodeId member) implements MemberEvent {}

    /** The member asked to leave gracefully; it is still in the view until removed. */
    record MemberLeft(SimNodeId member) implements MemberEvent {}

    /**
     * The member is gone for good. The simulator guarantees (and checks) that it can no longer act
     * when anyone learns this: {@link PreviousStatus#DOWN} means it was downed and terminated,
     * {@link PreviousStatus#EXITING} that it left cleanly.
     */
    record MemberRemoved(SimNodeId member, PreviousStatus previousStatus) implements MemberEvent {}

    /** This node's failure detector lost the member (it stays in the view). */
    record UnreachableMember(SimNodeId member) implements MemberEvent {}

    /** This node's failure detector hears the member again. */
    record ReachableMember(SimNodeId member) implements MemberEvent {}

    /** Akka's {@code MemberRemoved.previousStatus}, reduced to the two cases a protocol must tell apart. */
    enum PreviousStatus {
        /** Graceful leave: the member handed over and exited. */
        EXITING,
        /** Failure: the member was downed (crash, long pause, minority side of a partition). */
        DOWN
    }
}
