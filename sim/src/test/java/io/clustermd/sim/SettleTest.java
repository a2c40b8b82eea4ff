package io.clustermd.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.sim.counter.CounterMessage;
import io.clustermd.sim.counter.CounterScenario;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Checker#settleUntilMillis}: a run goes on past its duration while a checker asks, never past the cap. */
class SettleTest {

    /** The counter scenario plus a checker that asks to settle until {@code wantedMillis}; records when the end came. */
    private static final class Settling implements Scenario<CounterMessage> {
        private final CounterScenario inner = new CounterScenario();
        private final long wantedMillis;
        long endedAt = -1;
        long askedAfterDuration;

        Settling(long wantedMillis) {
            this.wantedMillis = wantedMillis;
        }

        @Override
        public String name() {
            return "counter";
        }

        @Override
        public String description() {
            return "settling";
        }

        @Override
        public ScenarioRun<CounterMessage> newRun(SimOptions options) {
            ScenarioRun<CounterMessage> run = inner.newRun(options);
            List<Checker> checkers = new ArrayList<>(run.checkers());
            checkers.add(new Checker() {
                @Override
                public String name() {
                    return "settling";
                }

                @Override
                public void afterEvent(WorldView world) {
                }

                @Override
                public long settleUntilMillis(WorldView world) {
                    askedAfterDuration++;
                    return world.now() < wantedMillis ? wantedMillis : Long.MIN_VALUE;
                }

                @Override
                public void atEnd(WorldView world) {
                    endedAt = world.now();
                }
            });
            return new ScenarioRun<>(run.processes(), run.workload(), checkers);
        }
    }

    private static SimOptions options() {
        return SimOptions.defaults(7).withDurationMillis(10_000).withQuietMillis(5_000);
    }

    @Test
    @DisplayName("no checker asks: the run ends at its duration")
    void endsOnTime() {
        Settling s = new Settling(0);
        Simulation.run(s, options());
        assertEquals(10_000, s.endedAt);
        assertEquals(1, s.askedAfterDuration, "asked once, at the duration");
    }

    @Test
    @DisplayName("a checker that still sees progress keeps the run going until it is satisfied")
    void goesOnUntilSettled() {
        Settling s = new Settling(17_000);
        Simulation.run(s, options());
        assertEquals(17_000, s.endedAt);
    }

    @Test
    @DisplayName("the extension stops at the cap (duration plus four quiet periods), however long a checker asks")
    void cappedExtension() {
        Settling s = new Settling(1_000_000);
        Simulation.run(s, options());
        assertEquals(options().settleCapMillis(), s.endedAt);
        assertTrue(s.endedAt == 30_000, "cap " + s.endedAt);
    }
}
