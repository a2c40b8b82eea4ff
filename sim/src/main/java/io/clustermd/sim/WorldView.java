package io.clustermd.sim;

import java.util.List;
import java.util.Optional;

/** A read-only look at a running simulation, for checkers and workloads. */
public interface WorldView {

    long seed();

    /** Simulated milliseconds. */
    long now();

    long nowMicros();

    /** How many events have run so far (1-based index of the last one). */
    long eventIndex();

    /** What happened during the last event, in order. */
    List<Observation> lastObservations();

    /** Every incarnation ever started, in order. */
    List<SimNodeId> incarnations();

    /** Incarnations that are running or paused. */
    List<SimNodeId> alive();

    NodeStatus status(SimNodeId id);

    /** Whether {@code id} is running or paused, i.e. could still act now or later. */
    default boolean canAct(SimNodeId id) {
        return status(id).canAct();
    }

    /** The node's own view; empty for unknown or dead incarnations. */
    Optional<View> view(SimNodeId id);

    /** The cluster's membership as the leader knows it (the truth the views converge to). */
    List<SimNodeId> members();

    /** Simulated milliseconds at which the nemesis stops injecting faults and heals everything. */
    long faultsEndMillis();

    /** Whether the run is in its quiet period (no new faults). */
    default boolean quiet() {
        return now() >= faultsEndMillis();
    }
}
