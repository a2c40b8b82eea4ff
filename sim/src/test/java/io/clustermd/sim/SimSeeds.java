package io.clustermd.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Which seeds a seeded test runs: {@code -Dclustermd.sim.seed=<n>} replays one,
 * {@code -Dclustermd.sim.seeds=<N>} runs 1..N instead of the test's default.
 */
public final class SimSeeds {

    private SimSeeds() {
    }

    public static LongStream seeds(int defaultCount) {
        String one = System.getProperty(Replay.SEED_PROPERTY);
        if (one != null && !one.isBlank()) {
            return LongStream.of(Long.parseLong(one.strip()));
        }
        return LongStream.rangeClosed(1, Integer.getInteger(Replay.SEEDS_PROPERTY, defaultCount));
    }

    /** Runs every seed; fails with the first failure's full report and a line per other failing seed. */
    public static <M> int runAll(Scenario<M> scenario, int defaultCount) {
        List<SimFailure> failures = new ArrayList<>();
        int[] passed = {0};
        seeds(defaultCount).forEach(seed -> {
            try {
                Simulation.run(scenario, scenario.defaults(seed));
                passed[0]++;
            } catch (SimFailure f) {
                failures.add(f);
            }
        });
        if (!failures.isEmpty()) {
            StringBuilder b = new StringBuilder(failures.get(0).getMessage());
            failures.forEach(f -> b.append('\n').append(f.summary()));
            b.append('\n').append(passed[0]).append(" passed, ").append(failures.size()).append(" failed");
            throw new AssertionError(b.toString(), failures.get(0));
        }
        return passed[0];
    }
}
