package io.clustermd.sim.messaging;

import io.clustermd.sim.SimFailure;
import io.clustermd.sim.SimOptions;
import io.clustermd.sim.SimResult;
import io.clustermd.sim.Simulation;
import java.util.List;

/**
 * Replays one seed of the messaging scenario with a long trace and prints the lines that contain any of
 * the given words (all lines when none): a diagnosis aid, not a test.
 * {@code java -cp <test classpath> io.clustermd.sim.messaging.MessagingTrace <seed> [word ...]}
 */
public final class MessagingTrace {

    private MessagingTrace() {
    }

    public static void main(String[] args) {
        long seed = Long.parseLong(args[0]);
        MessagingScenario scenario = new MessagingScenario();
        SimOptions d = scenario.defaults(seed);
        SimOptions o = new SimOptions(seed, d.nodes(), d.durationMillis(), d.quietMillis(), d.network(),
                d.membership(), d.nemesis(), 2_000_000, d.eventsMax(), d.queuedEventsMax(), d.heldEventsMax());
        List<String> lines;
        String verdict;
        try {
            SimResult r = Simulation.run(scenario, o);
            lines = List.of();
            verdict = "passed: " + r;
        } catch (SimFailure f) {
            lines = f.traceTail();
            verdict = f.getMessage().lines().limit(2).reduce("", (a, b) -> a + b + "\n");
        }
        for (String line : lines) {
            boolean show = args.length == 1;
            for (int i = 1; i < args.length && !show; i++) {
                show = line.contains(args[i]);
            }
            if (show) {
                System.out.println(line);
            }
        }
        System.out.println(verdict);
    }
}
