package io.clustermd.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.sim.counter.CounterScenario;
import io.clustermd.sim.counter.CounterMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FailureReportTest {

    /** The counter scenario plus a checker that trips at event 500. */
    private static Scenario<?> tripwire() {
        return new CounterPlus("tripwire", options -> new Checker() {
            @Override
            public String name() {
                return "tripwire";
            }

            @Override
            public void afterEvent(WorldView world) {
                Checker.require(world.eventIndex() < 500, "tripped at event " + world.eventIndex());
            }
        });
    }

    @Test
    @DisplayName("a failing run reports seed, event, checker, message, the last 50 trace lines and replay commands")
    void failureCarriesEverythingToReplay() {
        SimFailure f = assertThrows(SimFailure.class, () -> Simulation.run(tripwire(), SimOptions.defaults(17)));
        assertEquals(17, f.seed());
        assertEquals(500, f.eventIndex());
        assertEquals("tripwire", f.checker());
        assertEquals(50, f.traceTail().size());
        assertTrue(f.traceTail().get(49).matches(".* #(49[0-9]|500) .*"), f.traceTail().get(49));
        assertTrue(f.getMessage().contains("java -jar sim/target/clustermd-sim.jar counter --seed 17"), f.getMessage());
        assertTrue(f.getMessage().contains("-Dclustermd.sim.seed=17"), f.getMessage());
        assertTrue(f.summary().startsWith("FAIL seed=17 event=500 [tripwire] tripped at event 500"), f.summary());
    }

    @Test
    @DisplayName("replaying the failing seed fails identically")
    void replayFailsTheSameWay() {
        SimFailure a = assertThrows(SimFailure.class, () -> Simulation.run(tripwire(), SimOptions.defaults(5)));
        SimFailure b = assertThrows(SimFailure.class, () -> Simulation.run(tripwire(), SimOptions.defaults(5)));
        assertEquals(a.traceTail(), b.traceTail());
    }

    @Test
    @DisplayName("non-default options appear in the replay command")
    void replayKeepsOptions() {
        SimOptions o = SimOptions.defaults(3).withNodes(7).withDurationMillis(90_000);
        SimFailure f = assertThrows(SimFailure.class, () -> Simulation.run(tripwire(), o));
        assertEquals("java -jar sim/target/clustermd-sim.jar counter --seed 3 --nodes 7 --duration-seconds 90",
                f.replay().command());
    }
}
