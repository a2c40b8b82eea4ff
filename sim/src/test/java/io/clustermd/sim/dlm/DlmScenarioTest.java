package io.clustermd.sim.dlm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.sim.SimSeeds;
import io.clustermd.sim.Simulation;
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

    /**
     * Seeds beyond the default range that once failed (found by the long runs, sim/README.md), replayed in
     * every build: 1265 (a PR holder converting to PW sat in the convert queue while recovery settled a
     * PR->CW conversion to CW beside it); 1624 and 807 (a new master took the LVB, valid, from a surviving VALBLK
     * lock above CR whose buffer was older than the last write, as fs/dlm's recover_lvb does; the LVB checker
     * called the read a lost order); 3603 (a joiner that never got Resume became coordinator and gave itself a
     * new slot while the others had agreed on its old one: a node now reports the slot the last coordinator
     * assigned it, as fs/dlm's ls_slot); 6060 (a conversion in flight to a departed master, to be resent
     * after recovery, let the holder take a second conversion, which the new master refused); 8686 (a run
     * that finished at the new master but that a holder abandoned: the holder re-sent its locks, the master
     * parked them forever, and recovery never resumed; the master now answers with the ids it has, as
     * fs/dlm's -EEXIST).
     */
    @Test
    @DisplayName("dlm: seeds the long runs found and that were fixed")
    void formerlyFailingSeeds() {
        for (long seed : new long[] {1265, 1624, 807, 3603, 6060, 8686}) {
            DlmScenario scenario = new DlmScenario();
            Simulation.run(scenario, scenario.defaults(seed));
        }
    }
}
