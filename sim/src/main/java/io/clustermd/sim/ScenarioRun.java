package io.clustermd.sim;

import java.util.List;
import java.util.Objects;

/**
 * What a scenario provides for one seeded run. The three parts usually share one run-scoped model
 * object (e.g. a history of requests) that processes report into and checkers read.
 */
public record ScenarioRun<M>(ProcessFactory<M> processes, Workload<M> workload, List<Checker> checkers) {

    public ScenarioRun {
        Objects.requireNonNull(processes, "processes");
        Objects.requireNonNull(workload, "workload");
        checkers = List.copyOf(checkers);
    }
}
