package io.clustermd.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Checker#settleUntilMillis}: a run goes on past its duration while a checker asks, never past the cap. */
class SettleTest {

    /** A checker that asks to settle until {@code wantedMillis} and records when the run ended. */
    private static final class Settling implements Checker {
        private final long wantedMillis;
        long endedAt = -1;
        long asked;

        Settling(long wantedMillis) {
            this.wantedMillis = wantedMillis;
        }

        @Override
        public String name() {
            return "settling";
        }

        @Override
        public void afterEvent(WorldView world) {
        }

        @Override
        public long settleUntilMillis(WorldView world) {
            asked++;
            return world.now() < wantedMillis ? wantedMillis : Long.MIN_VALUE;
        }

        @Override
        public void atEnd(WorldView world) {
            endedAt = world.now();
        }

        Settling run() {
            Simulation.run(new CounterPlus("settling", o -> this), options());
            return this;
        }
    }

    private static SimOptions options() {
        return SimOptions.defaults(7).withDurationMillis(10_000).withQuietMillis(5_000);
    }

    @Test
    @DisplayName("no checker asks: the run ends at its duration")
    void endsOnTime() {
        Settling s = new Settling(0).run();
        assertEquals(10_000, s.endedAt);
        assertEquals(1, s.asked, "asked once, at the duration");
    }

    @Test
    @DisplayName("a checker that still sees progress keeps the run going until it is satisfied")
    void goesOnUntilSettled() {
        Settling s = new Settling(17_000).run();
        assertEquals(17_000, s.endedAt);
    }

    @Test
    @DisplayName("the extension stops at the cap (duration plus four quiet periods), however long a checker asks")
    void cappedExtension() {
        Settling s = new Settling(1_000_000).run();
        assertEquals(30_000, options().settleCapMillis());
        assertEquals(30_000, s.endedAt);
    }
}
