package io.clustermd.sim;

/**
 * Drives a scenario from outside the nodes: client requests, with a schedule of its own. One instance
 * per run. It may look at the world (read-only) to pick targets, and see when faults stop so it can
 * expect every request made afterwards to complete.
 */
public interface Workload<M> {

    void onStart(WorkloadContext<M> ctx);

    void onTimer(Object token, WorkloadContext<M> ctx);

    /** A workload that does nothing, for scenarios whose processes drive themselves. */
    static <M> Workload<M> none() {
        return new Workload<>() {
            @Override
            public void onStart(WorkloadContext<M> ctx) {
            }

            @Override
            public void onTimer(Object token, WorkloadContext<M> ctx) {
            }
        };
    }
}
