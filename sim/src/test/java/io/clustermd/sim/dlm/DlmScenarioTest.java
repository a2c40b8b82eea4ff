package io.clustermd.sim.dlm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.sim.SimSeeds;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DlmScenarioTest {

    @Test
    @DisplayName("dlm under every fault (300 seeds, -Dclustermd.sim.seeds=N for more, -Dclustermd.sim.seed=S to "
            + "replay one): compatible grants, LVB values, callbacks in order, stable slots and rising generations "
            + "after every event; everything completes once faults stop")
    void survivesTheNemesis() {
        int passed = SimSeeds.runAll(new DlmScenario(), 300);
        assertTrue(passed >= 1);
    }
}
