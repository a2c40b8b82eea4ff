package io.clustermd.sim;

import io.clustermd.sim.counter.CounterMessage;
import io.clustermd.sim.counter.CounterScenario;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The counter scenario plus one checker made per run: how the engine's tests put a checker of their own in a real run. */
final class CounterPlus implements Scenario<CounterMessage> {

    private final CounterScenario inner = new CounterScenario();
    private final String description;
    private final Function<SimOptions, Checker> extra;

    CounterPlus(String description, Function<SimOptions, Checker> extra) {
        this.description = description;
        this.extra = extra;
    }

    @Override
    public String name() {
        return "counter";
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public SimOptions defaults(long seed) {
        return inner.defaults(seed);
    }

    @Override
    public ScenarioRun<CounterMessage> newRun(SimOptions options) {
        ScenarioRun<CounterMessage> run = inner.newRun(options);
        List<Checker> checkers = new ArrayList<>(run.checkers());
        checkers.add(extra.apply(options));
        return new ScenarioRun<>(run.processes(), run.workload(), checkers);
    }
}
