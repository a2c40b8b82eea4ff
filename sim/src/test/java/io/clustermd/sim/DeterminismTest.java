package io.clustermd.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.sim.counter.CounterScenario;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeterminismTest {

    private final CounterScenario scenario = new CounterScenario();

    @Test
    @DisplayName("the same seed gives the same run, event for event (equal trace hashes)")
    void sameSeedSameTrace() {
        for (long seed : new long[] {1, 42, 977}) {
            SimResult first = Simulation.run(scenario, scenario.defaults(seed));
            SimResult second = Simulation.run(scenario, scenario.defaults(seed));
            assertEquals(first, second, "seed " + seed);
            assertTrue(first.events() > 1_000, "a run does real work: " + first);
        }
    }

    @Test
    @DisplayName("different seeds give different runs")
    void differentSeedsDiffer() {
        assertNotEquals(Simulation.run(scenario, scenario.defaults(1)).traceHash(),
                Simulation.run(scenario, scenario.defaults(2)).traceHash());
    }
}
