package io.clustermd.sim;

/**
 * The protocol running on one node incarnation: the plug-in point for a scenario. In production the same
 * pure core sits inside an Akka actor; here the simulator calls it (DESIGN.md §3 "pure cores, thin shells").
 *
 * <p>All calls happen on the simulator's single thread, one at a time, and only while the node is
 * running: never while paused, never after it stopped. A process must take time and randomness only
 * from {@code ctx} and keep no static state, or runs stop being reproducible from their seed.
 * Messages must be immutable values with a deterministic {@code toString} (records are), since the
 * trace and its hash are built from it.
 *
 * @param <M> the protocol's message type (peer messages and workload requests)
 */
public interface SimProcess<M> {

    /** The incarnation started; {@code ctx.view()} is the initial view (empty until a joiner is Up). */
    void onStart(ProcessContext<M> ctx);

    /** A peer's message arrived (FIFO per sender incarnation, at most once). */
    void onMessage(SimNodeId from, M message, ProcessContext<M> ctx);

    /** This node learned one membership change; {@code view.change()} says which. */
    void onViewChange(View view, ProcessContext<M> ctx);

    /** A timer set with {@link ProcessContext#setTimer} fired (possibly late, after a pause). */
    void onTimer(Object token, ProcessContext<M> ctx);

    /** The workload called this node (a local client call, no network). */
    default void onRequest(M request, ProcessContext<M> ctx) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " takes no requests: " + request);
    }

    /**
     * Whether a member that is leaving gracefully may exit now. Akka runs the shell's tasks of the
     * {@code before-cluster-shutdown} phase of CoordinatedShutdown (e.g. "release every lock") before the
     * exiting member confirms, and the leader removes it only then; the simulator asks until this is true,
     * for at most {@link SimMembership#EXIT_CONFIRM_MILLIS_MAX} (the phase timeout), then exits it anyway.
     */
    default boolean readyToExit() {
        return true;
    }

    /**
     * The incarnation stopped (crash, downed, or left) and this object is about to be discarded. It
     * cannot act any more: there is no context. Useful to let a scenario's model record the loss.
     */
    default void onStop(StopCause cause) {
    }
}
