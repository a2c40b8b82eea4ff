package io.clustermd.sim;

/** Makes the protocol process for a new incarnation (at bootstrap, restart, or when a node is added). */
@FunctionalInterface
public interface ProcessFactory<M> {
    SimProcess<M> create(SimNodeId id);
}
