package io.clustermd.sim.counter;

import io.clustermd.sim.Scenario;
import io.clustermd.sim.ScenarioRun;
import io.clustermd.sim.SimOptions;
import io.clustermd.sim.Workload;

/**
 * The engine's own test: nodes broadcast counters to their view under every fault the nemesis has,
 * and the checkers hold the network and membership to Artery's and Akka Cluster's contracts.
 */
public final class CounterScenario implements Scenario<CounterMessage> {

    @Override
    public String name() {
        return "counter";
    }

    @Override
    public String description() {
        return "Demo: every node broadcasts increasing numbers to its view; checks FIFO, no duplicates, "
                + "nothing from the dead or removed, safe removal, and convergence once faults stop.";
    }

    @Override
    public ScenarioRun<CounterMessage> newRun(SimOptions options) {
        return new ScenarioRun<>(id -> new CounterProcess(), Workload.none(), CounterCheckers.all());
    }
}
