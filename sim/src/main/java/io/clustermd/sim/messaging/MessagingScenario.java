package io.clustermd.sim.messaging;

import io.clustermd.messaging.core.CommOptions;
import io.clustermd.sim.FaultMix;
import io.clustermd.sim.NemesisOptions;
import io.clustermd.sim.Scenario;
import io.clustermd.sim.ScenarioRun;
import io.clustermd.sim.SimOptions;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * md-cluster communication under the nemesis (issue 4): 2 to 8 nodes, each a {@link MessagingProcess} (the
 * pure {@code CommCore} wired as {@code Communicator} wires it, over the pure DLM node and its reliable
 * links), concurrent senders of every message type on every node, slow handlers, the engine's crashes,
 * pauses, partitions, joins and leaves, and targeted crashes of senders and receivers at every
 * {@link Phase} of a broadcast. Checkers: {@link BroadcastChecker} after every event (total order, sender
 * returns only after every live node processed, never one's own, never twice) and
 * {@link CompletionChecker} at the end (every send completed, no node stuck).
 */
public final class MessagingScenario implements Scenario<MsgSimMessage> {

    static final int NODES_MIN = 2;
    static final int NODES_MAX = 8;
    /** md slots (the bitmap's {@code nodes}): above any DLM slot a run can hand out. */
    static final int MD_SLOTS = 32;
    /**
     * The production bounds: a lock operation 30 s (the kernel's), a NEWDISK confirmation 5 s, a handler
     * 20 s (the slowest here takes 4 s), a local sender 60 s for its turn.
     */
    static final CommOptions COMM_OPTIONS = CommOptions.defaults();
    /** Every fault; crashes and partitions a little more often than the engine's standard mix. */
    static final FaultMix MIX = new FaultMix(3, 2, 1, 3, 2, 2, 2, 1);

    /** How often each phase was hit by a targeted crash, over the runs of this scenario object. */
    public static final class Coverage {
        private final EnumMap<Phase, Long> crashes = new EnumMap<>(Phase.class);

        private long broken;

        synchronized void crashed(Phase phase) {
            crashes.merge(phase, 1L, Long::sum);
        }

        synchronized void broken() {
            broken++;
        }

        /** How often a core broke (a cancel that never completed) and its node left and joined again. */
        public synchronized long brokenCores() {
            return broken;
        }

        public synchronized Map<String, Long> crashesByPhase() {
            Map<String, Long> out = new java.util.LinkedHashMap<>();
            for (Phase p : Phase.values()) {
                out.put(p.name(), crashes.getOrDefault(p, 0L));
            }
            return out;
        }

        /** Phases no targeted crash has hit yet. */
        public synchronized List<String> missed() {
            return java.util.Arrays.stream(Phase.values()).filter(p -> !crashes.containsKey(p)).map(Enum::name)
                    .toList();
        }
    }

    private final Coverage coverage = new Coverage();

    @Override
    public String name() {
        return "messaging";
    }

    @Override
    public String description() {
        return "md-cluster TOKEN/MESSAGE/ACK broadcast (CommCore over the DLM core) on 2-8 nodes with concurrent "
                + "senders, slow handlers, crashes of senders and receivers at every step, partitions, joins and "
                + "leaves; checks one total order, sender returns after every live node processed, no own or "
                + "duplicate processing after every event, and that every send completes once faults stop.";
    }

    @Override
    public SimOptions defaults(long seed) {
        int nodes = new SplittableRandom(seed ^ 0x6D657373L).nextInt(NODES_MIN, NODES_MAX + 1);
        return SimOptions.defaults(seed).withNodes(nodes)
                .withNemesis(NemesisOptions.standard(nodes).withMix(MIX).withMaxNodes(NODES_MAX));
    }

    @Override
    public ScenarioRun<MsgSimMessage> newRun(SimOptions options) {
        MessagingModel model = new MessagingModel(coverage);
        return new ScenarioRun<>(id -> new MessagingProcess(model, id), new MessagingWorkload(model, options),
                List.of(new BroadcastChecker(model), new CompletionChecker(model, options.durationMillis())));
    }

    public Coverage coverage() {
        return coverage;
    }
}
