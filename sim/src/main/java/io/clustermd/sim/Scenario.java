package io.clustermd.sim;

/**
 * A protocol under simulation, registered by name in {@link Scenarios}. The engine knows nothing about
 * the protocol; the scenario supplies its per-node process, a workload and checkers, fresh per run.
 */
public interface Scenario<M> {

    /** The subcommand name: {@code java -jar sim/target/clustermd-sim.jar <name> --seeds 1-500}. */
    String name();

    /** One line for {@code --help}. */
    String description();

    /** Options this scenario runs with by default (node count, duration, fault mix) for {@code seed}. */
    default SimOptions defaults(long seed) {
        return SimOptions.defaults(seed);
    }

    /** A fresh run: new processes, workload and checkers; nothing may be shared between runs. */
    ScenarioRun<M> newRun(SimOptions options);
}
