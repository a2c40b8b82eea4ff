package io.clustermd.sim;

/** Why a node's process stopped; the process object is discarded right after it is told. */
public enum StopCause {
    /** kill -9 or power loss: no chance to clean up. */
    CRASHED,
    /** The split brain resolver downed it (it was unreachable for stable-after, or on the minority side). */
    DOWNED,
    /** Graceful leave completed (Akka: MemberRemoved with previous status Exiting). */
    LEFT;

    /** The status a node ends in for this cause. */
    public NodeStatus status() {
        return switch (this) {
            case CRASHED -> NodeStatus.CRASHED;
            case DOWNED -> NodeStatus.DOWNED;
            case LEFT -> NodeStatus.LEFT;
        };
    }
}
