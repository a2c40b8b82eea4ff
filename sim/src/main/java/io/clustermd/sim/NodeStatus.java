package io.clustermd.sim;

/** Where one incarnation of a node is in its life. An incarnation never leaves a terminal state. */
public enum NodeStatus {
    /** Processes events. It may not be a cluster member yet (joining). */
    RUNNING,
    /** SIGSTOP-like: processes nothing and its timers do not fire; it resumes where it stopped. */
    PAUSED,
    /** kill -9: gone at once, everything in flight to or from it is lost. Terminal. */
    CRASHED,
    /** Downed by the split brain resolver; "downed ⇒ terminated" (akka.md §3a). Terminal. */
    DOWNED,
    /** Left the cluster gracefully (Exiting, then Removed). Terminal. */
    LEFT;

    /** Whether this incarnation could still send a message or touch shared state, now or later. */
    public boolean canAct() {
        return this == RUNNING || this == PAUSED;
    }

    /** Why a node stopped, as told to its process by {@link SimProcess#onStop}. */
    public StopCause stopCause() {
        return switch (this) {
            case CRASHED -> StopCause.CRASHED;
            case DOWNED -> StopCause.DOWNED;
            case LEFT -> StopCause.LEFT;
            case RUNNING, PAUSED -> throw new IllegalStateException(this + " is not a stopped status");
        };
    }
}
