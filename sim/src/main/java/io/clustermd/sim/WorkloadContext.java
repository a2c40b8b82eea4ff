package io.clustermd.sim;

import java.util.random.RandomGenerator;

/** What a {@link Workload} may do. */
public interface WorkloadContext<M> {

    long now();

    RandomGenerator random();

    void setTimer(long delayMillis, Object token);

    /**
     * Hands {@code request} to the node's process as a local call. Returns false if the incarnation is
     * already dead; if it dies before processing, a {@link Observation.RequestLost} is recorded.
     */
    boolean submit(SimNodeId node, M request);

    WorldView world();

    void trace(String text);
}
