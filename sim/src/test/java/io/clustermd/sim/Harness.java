package io.clustermd.sim;

import java.util.ArrayList;
import java.util.List;

/** A world of do-nothing processes for testing the network and the membership oracle, with a recorder. */
final class Harness {

    /** A process that only listens. */
    static final class Quiet implements SimProcess<String> {
        @Override
        public void onStart(ProcessContext<String> ctx) {
        }

        @Override
        public void onMessage(SimNodeId from, String message, ProcessContext<String> ctx) {
        }

        @Override
        public void onViewChange(View view, ProcessContext<String> ctx) {
        }

        @Override
        public void onTimer(Object token, ProcessContext<String> ctx) {
        }
    }

    /** One observation and when it happened. */
    record Seen(long atMillis, Observation observation) {}

    final World<String> world;
    final List<Seen> seen = new ArrayList<>();
    private final List<Checker> checkers = Simulation.engineCheckers();

    Harness(int nodes, MembershipTimings timings) {
        SimOptions options = SimOptions.defaults(1).withMembership(timings).withNemesis(NemesisOptions.quiet(nodes));
        world = new World<>(options, id -> new Quiet(), Workload.none());
        world.bootstrap(nodes);
    }

    /** Runs to {@code millis}, recording observations and running the engine's safety checkers. */
    Harness runUntil(long millis) {
        while (world.step(millis)) {
            world.checkInvariants();
            for (Observation o : world.lastObservations()) {
                seen.add(new Seen(world.now(), o));
            }
            checkers.forEach(c -> c.afterEvent(world));
        }
        return this;
    }

    SimNodeId id(String name) {
        return world.latest(name).orElseThrow();
    }

    /** When {@code node} learned {@code change}, or -1. */
    long learnedAt(String node, MemberEvent change) {
        for (Seen s : seen) {
            if (s.observation() instanceof Observation.ViewChanged v && v.node().name().equals(node)
                    && v.view().change().orElseThrow().equals(change)) {
                return s.atMillis();
            }
        }
        return -1;
    }

    /** Every membership change anyone learned. */
    List<MemberEvent> changes() {
        List<MemberEvent> out = new ArrayList<>();
        for (Seen s : seen) {
            if (s.observation() instanceof Observation.ViewChanged v) {
                out.add(v.view().change().orElseThrow());
            }
        }
        return out;
    }

    void atEnd() {
        checkers.forEach(c -> c.atEnd(world));
    }
}
