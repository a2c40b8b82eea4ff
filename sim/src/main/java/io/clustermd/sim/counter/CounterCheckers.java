package io.clustermd.sim.counter;

import io.clustermd.sim.Checker;
import io.clustermd.sim.Envelope;
import io.clustermd.sim.MemberEvent;
import io.clustermd.sim.Observation;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.WorldView;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo's checkers, at the level of the protocol's own numbers (independent of the engine's
 * send sequence numbers): what the application sees must look like Artery under Akka Cluster.
 */
final class CounterCheckers {

    private CounterCheckers() {
    }

    private record Pair(SimNodeId from, SimNodeId to) {}

    static List<Checker> all() {
        Receipts receipts = new Receipts();
        return List.of(receipts, new NothingFromTheRemoved(), new EveryoneHearsEveryone(receipts));
    }

    /** Per sender/receiver pair, numbers arrive strictly increasing (FIFO, no duplicates), from live senders. */
    static final class Receipts implements Checker {
        final Map<Pair, Long> lastValue = new HashMap<>();
        final Map<Pair, Long> lastAtMillis = new HashMap<>();

        @Override
        public String name() {
            return "counter-fifo";
        }

        @Override
        public void afterEvent(WorldView world) {
            for (Observation o : world.lastObservations()) {
                if (o instanceof Observation.Delivered d && d.envelope().message() instanceof CounterMessage m) {
                    Envelope<?> e = d.envelope();
                    Checker.require(world.canAct(e.from()), "delivered " + m + " from " + e.from() + ", which is "
                            + world.status(e.from()));
                    Pair p = new Pair(e.from(), e.to());
                    Long last = lastValue.put(p, m.value());
                    Checker.require(last == null || last < m.value(), e.to() + " got " + m + " from " + e.from()
                            + " after Count(" + last + "): reordered or duplicated");
                    lastAtMillis.put(p, world.now());
                }
            }
        }
    }

    /** Once a node learned that a member was removed, it never hears from that incarnation again. */
    static final class NothingFromTheRemoved implements Checker {
        private final Map<SimNodeId, Set<SimNodeId>> removedSeenBy = new HashMap<>();

        @Override
        public String name() {
            return "nothing-from-the-removed";
        }

        @Override
        public void afterEvent(WorldView world) {
            for (Observation o : world.lastObservations()) {
                if (o instanceof Observation.ViewChanged v
                        && v.view().change().orElse(null) instanceof MemberEvent.MemberRemoved r) {
                    removedSeenBy.computeIfAbsent(v.node(), k -> new HashSet<>()).add(r.member());
                } else if (o instanceof Observation.Delivered d) {
                    Envelope<?> e = d.envelope();
                    Checker.require(!removedSeenBy.getOrDefault(e.to(), Set.of()).contains(e.from()),
                            e.to() + " got " + e.message() + " from " + e.from() + " after learning it was removed");
                }
            }
        }
    }

    /** Liveness: at the end, every running member hears every other one (within the last second). */
    static final class EveryoneHearsEveryone implements Checker {
        private static final long RECENT_MILLIS = 1_000;
        private final Receipts receipts;

        EveryoneHearsEveryone(Receipts receipts) {
            this.receipts = receipts;
        }

        @Override
        public String name() {
            return "everyone-hears-everyone";
        }

        @Override
        public void afterEvent(WorldView world) {
        }

        @Override
        public void atEnd(WorldView world) {
            for (SimNodeId from : world.members()) {
                for (SimNodeId to : world.members()) {
                    if (!from.equals(to)) {
                        Long at = receipts.lastAtMillis.get(new Pair(from, to));
                        Checker.require(at != null && world.now() - at <= RECENT_MILLIS, to + " has not heard from "
                                + from + " since " + (at == null ? "ever" : at + " ms") + " (now " + world.now()
                                + " ms, faults stopped at " + world.faultsEndMillis() + " ms)");
                    }
                }
            }
        }
    }
}
