package io.clustermd.sim.counter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.sim.SimSeeds;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CounterScenarioTest {

    @Test
    @DisplayName("counter under every fault (200 seeds, -Dclustermd.sim.seeds=N for more): FIFO, no duplicates, "
            + "nothing from the dead or removed, safe removals, converged views and everyone heard at the end")
    void survivesTheNemesis() {
        int passed = SimSeeds.runAll(new CounterScenario(), 200);
        assertTrue(passed >= 1);
    }
}
