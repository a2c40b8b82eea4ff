package io.clustermd.sim;

import java.util.random.RandomGenerator;

/** What a {@link SimProcess} may do: the simulated clock, network, timers, randomness and view. */
public interface ProcessContext<M> {

    SimNodeId self();

    /** Simulated time in milliseconds since the run started. */
    long now();

    /** Simulated time in microseconds, for protocols that care about sub-millisecond order. */
    long nowMicros();

    /** Sends over the simulated Artery link: FIFO per pair, at most once (see {@link SimNetwork}). */
    void send(SimNodeId to, M message);

    /** Sets a one-shot timer; returns an id for {@link #cancelTimer}. */
    long setTimer(long delayMillis, Object token);

    void cancelTimer(long timerId);

    /** The run's one seeded generator; never create another. */
    RandomGenerator random();

    /** This node's current view of the membership. */
    View view();

    /** Adds a line to the run's trace (shown in failure reports). */
    void trace(String text);
}
