package io.clustermd.sim.messaging;

import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.messaging.core.CommCore;
import io.clustermd.messaging.core.Outcome;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.Message;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.StopCause;
import io.clustermd.sim.WorldView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The run-scoped model of the messaging scenario: every send the workload asked for (with the nodes obliged
 * to process it, fixed when the sender's core took the request), every message each node incarnation
 * processed, and the first violation of the broadcast's properties, found at the moment it happens:
 *
 * <ol>
 *   <li>one total order: the per-node sequences of processed messages are all consistent with one global
 *       order (their union, as "a before b" edges, stays acyclic);
 *   <li>a send returns OK only after every node that was joined when it was requested and is still alive
 *       (and not leaving) processed it;
 *   <li>no node processes its own message;
 *   <li>no node processes a message twice.
 * </ol>
 *
 * It also arms the scenario's targeted crashes: when a node settles in the armed {@link Phase}, the
 * workload crashes it.
 */
final class MessagingModel implements SimLvbFormat.Registry {

    /** One node incarnation. */
    static final class NodeState {
        final SimNodeId id;
        final MessagingProcess process;
        CommCore core;
        final List<Long> processed = new ArrayList<>();
        final Set<Long> processedSet = new HashSet<>();
        boolean ready;
        boolean leaving;
        /** Counts the times this node left communication to join again (after its core broke). */
        int commEpoch;
        int brokenCount;
        boolean readyToExit;
        StopCause stopped;
        Phase phase;

        NodeState(SimNodeId id, MessagingProcess process) {
            this.id = id;
            this.process = process;
        }

        /** Joined communication (held messages count: they are processed once ready). */
        boolean joined() {
            if (core == null || leaving) {
                return false;
            }
            CommCore.State s = core.state();
            return s == CommCore.State.JOINED || s == CommCore.State.READYING || s == CommCore.State.READY;
        }
    }

    /** One message the workload made, and what became of its send. */
    static final class SendRecord {
        final long id;
        final Message message;
        SimNodeId sender;
        long requestedAt = -1;
        List<SimNodeId> obliged = List.of();
        /** Each obliged node's communication epoch at the request. */
        List<Integer> obligedEpochs = List.of();
        boolean finished;
        Outcome outcome;
        String failure;
        long finishedAt;

        SendRecord(long id, Message message) {
            this.id = id;
            this.message = message;
        }

        String describe() {
            return "m" + id + " " + message.type() + " from " + sender;
        }
    }

    /** Schedules a targeted crash (the workload does it, outside the node's event). */
    interface Crasher {
        /** Whether the cluster keeps a healthy majority without {@code node}. */
        boolean mayCrash(SimNodeId node);

        /** Crashes {@code node} at this instant, before it runs another event. */
        void crashSoon(SimNodeId node, Phase phase);
    }

    private final Map<SimNodeId, NodeState> nodes = new LinkedHashMap<>();
    private final Map<Long, SendRecord> sends = new LinkedHashMap<>();
    /** Per sender, sends submitted and not finished. */
    private final Map<SimNodeId, Integer> outstanding = new HashMap<>();
    private final Map<Message, Long> ids = new IdentityHashMap<>();
    /** "a was processed right before b by some node": the union of every node's order. */
    private final Map<Long, Set<Long>> after = new HashMap<>();
    private final SimLvbFormat format = new SimLvbFormat(this);
    private final MessagingScenario.Coverage coverage;
    private long lastSentAt;
    private WorldView world;
    private Crasher crasher;
    /** Targeted crashes are at least this far apart, so the cluster can recover between them. */
    static final long CRASH_SPACING_MILLIS = 1_000;
    private final java.util.EnumSet<Phase> armed = java.util.EnumSet.noneOf(Phase.class);
    private long nextCrashAt;
    private long lastId;
    private String violation;

    MessagingModel(MessagingScenario.Coverage coverage) {
        this.coverage = coverage;
    }

    void attach(WorldView w, Crasher c) {
        this.world = w;
        this.crasher = c;
    }

    SimLvbFormat format() {
        return format;
    }

    // ---------------------------------------------------------------- messages

    /** A fresh message of a random type, with its id. */
    SendRecord newMessage(RandomGenerator random) {
        return newMessage(random, random.nextInt(9));
    }

    SendRecord newMessage(RandomGenerator random, int kind) {
        int raidSlot = random.nextInt(8);
        Message m = switch (kind) {
            case 0 -> new Message.MetadataUpdated(raidSlot);
            case 1 -> random.nextInt(4) == 0 ? Message.Resyncing.finished()
                    : new Message.Resyncing(random.nextLong(0, 1 << 20) * 8, (1L << 24) + random.nextLong(0, 1 << 20) * 8);
            case 2 -> new Message.NewDisk(uuid(random), raidSlot);
            case 3 -> new Message.Remove(raidSlot);
            case 4 -> new Message.ReAdd(raidSlot);
            case 5 -> new Message.BitmapNeedsSync();
            case 6 -> new Message.ChangeCapacity();
            case 7 -> new Message.BitmapResize(random.nextLong(1, 1L << 40));
            default -> new Message.ResyncingStart();
        };
        SendRecord r = new SendRecord(++lastId, m);
        sends.put(r.id, r);
        ids.put(m, r.id);
        return r;
    }

    private static Uuid16 uuid(RandomGenerator random) {
        byte[] b = new byte[Uuid16.BYTES];
        random.nextBytes(b);
        return Uuid16.of(b);
    }

    @Override
    public long idOf(Message message) {
        Long id = ids.get(message);
        if (id == null) {
            throw new IllegalStateException("the workload made no message " + message);
        }
        return id;
    }

    @Override
    public Message byId(long id) {
        SendRecord r = sends.get(id);
        return r == null ? null : r.message;
    }

    Collection<SendRecord> sends() {
        return sends.values();
    }

    /** When a send last returned OK (0 before the first). */
    long lastSentAt() {
        return lastSentAt;
    }

    /** Sends a node asked for that have not finished. */
    int outstanding(SimNodeId node) {
        return outstanding.getOrDefault(node, 0);
    }

    /** Sends submitted and not finished, cluster-wide (those of dead senders included until they finish). */
    int outstanding() {
        int n = 0;
        for (Map.Entry<SimNodeId, Integer> e : outstanding.entrySet()) {
            if (world.canAct(e.getKey())) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** The workload handed message {@code id} to {@code sender}. */
    void submitted(long id, SimNodeId sender) {
        sends.get(id).sender = sender;
        outstanding.merge(sender, 1, Integer::sum);
    }

    // ---------------------------------------------------------------- nodes

    NodeState started(SimNodeId id, MessagingProcess process) {
        NodeState n = new NodeState(id, process);
        nodes.put(id, n);
        return n;
    }

    NodeState node(SimNodeId id) {
        NodeState n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no messaging node " + id);
        }
        return n;
    }

    Collection<NodeState> nodes() {
        return nodes.values();
    }

    void joined(SimNodeId id, CommCore core) {
        node(id).core = core;
    }

    void ready(SimNodeId id) {
        node(id).ready = true;
    }

    void leaveStarted(SimNodeId id) {
        node(id).leaving = true;
    }

    /** The node's core broke; it leaves communication and joins again: obligations taken before end. */
    void commLeft(SimNodeId id) {
        NodeState n = node(id);
        n.commEpoch++;
        n.brokenCount++;
        coverage.broken();
    }

    void stopped(SimNodeId id, StopCause cause) {
        NodeState n = node(id);
        n.stopped = cause;
        n.phase = null;
    }

    // ---------------------------------------------------------------- sends

    /** The sender's core takes the request: the nodes joined now are obliged to process it. */
    void sendRequested(long id, SimNodeId sender, long now) {
        SendRecord r = sends.get(id);
        r.sender = sender;
        r.requestedAt = now;
        List<SimNodeId> obliged = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        for (NodeState n : nodes.values()) {
            if (!n.id.equals(sender) && n.stopped == null && n.joined()) {
                obliged.add(n.id);
                epochs.add(n.commEpoch);
            }
        }
        r.obliged = List.copyOf(obliged);
        r.obligedEpochs = List.copyOf(epochs);
    }

    /** The send completed: OK ({@code outcome} Sent) or failed. */
    void sendFinished(long id, Outcome outcome, String failure) {
        SendRecord r = sends.get(id);
        if (r.finished) {
            violate("send " + r.describe() + " completed twice: " + r.outcome + "/" + r.failure + " then " + outcome
                    + "/" + failure);
            return;
        }
        r.finished = true;
        if (r.sender != null) {
            outstanding.merge(r.sender, -1, Integer::sum);
        }
        r.outcome = outcome;
        r.failure = failure;
        r.finishedAt = world == null ? 0 : world.now();
        if (outcome instanceof Outcome.Sent) {
            lastSentAt = r.finishedAt;
            for (int i = 0; i < r.obliged.size(); i++) {
                SimNodeId o = r.obliged.get(i);
                NodeState n = node(o);
                if (world.canAct(o) && !n.leaving && n.commEpoch == r.obligedEpochs.get(i)
                        && !n.processedSet.contains(id)) {
                    violate("(2) " + r.sender + " returned OK from " + r.describe() + " (requested at " + r.requestedAt
                            + " ms) before " + o + ", joined then and alive since, processed it; " + o
                            + " processed " + tail(n.processed) + "; its core: " + n.core.describe());
                }
            }
        }
    }

    // ---------------------------------------------------------------- processing

    void processingStarted(SimNodeId id, Envelope e) {
        // Recorded when the handler finishes (processed); a crash before that means not processed.
    }

    /** The handler finished {@code e} on node {@code id}: checks (1), (3), (4). */
    void processed(SimNodeId id, Envelope e) {
        NodeState n = node(id);
        long m = idOf(e.message());
        SendRecord r = sends.get(m);
        if (id.equals(r.sender)) {
            violate("(3) " + id + " processed its own message " + r.describe() + " (" + e.describe() + ")");
        }
        if (!n.processedSet.add(m)) {
            violate("(4) " + id + " processed " + r.describe() + " twice (" + e.describe() + "); it processed "
                    + tail(n.processed));
        }
        if (!n.processed.isEmpty()) {
            long prev = n.processed.get(n.processed.size() - 1);
            if (after.computeIfAbsent(prev, k -> new LinkedHashSet<>()).add(m) && reaches(m, prev)) {
                violate("(1) no total order: " + id + " processed m" + m + " after m" + prev
                        + ", but some node processed m" + m + " before m" + prev + " (via " + path(m, prev) + ")");
            }
        }
        n.processed.add(m);
    }

    /** Depth-first: is {@code to} reachable from {@code from} in the "processed before" graph? */
    private boolean reaches(long from, long to) {
        return path(from, to) != null;
    }

    private List<Long> path(long from, long to) {
        Map<Long, Long> parent = new HashMap<>();
        ArrayDeque<Long> stack = new ArrayDeque<>();
        stack.push(from);
        parent.put(from, from);
        while (!stack.isEmpty()) {
            long x = stack.pop();
            if (x == to) {
                List<Long> p = new ArrayList<>();
                for (long y = to; y != from; y = parent.get(y)) {
                    p.add(0, y);
                }
                p.add(0, from);
                return p;
            }
            for (long y : after.getOrDefault(x, Set.of())) {
                if (parent.putIfAbsent(y, x) == null) {
                    stack.push(y);
                }
            }
        }
        return null;
    }

    private static String tail(List<Long> processed) {
        int from = Math.max(0, processed.size() - 8);
        return (from > 0 ? "..." : "") + processed.subList(from, processed.size());
    }

    /** How long the handler takes: half at once, most in milliseconds, 1% seconds (under processMillisMax). */
    long handlerDelay(RandomGenerator random) {
        int dice = random.nextInt(1000);
        if (dice < 500) {
            return 0;
        }
        if (dice < 900) {
            return random.nextLong(1, 20);
        }
        if (dice < 990) {
            return random.nextLong(20, 500);
        }
        return random.nextLong(500, 3_000);
    }

    // ---------------------------------------------------------------- targeted crashes

    /** Arms {@code phase}: the next node to finish an event in it is crashed (one at a time). */
    void arm(Phase phase) {
        armed.add(phase);
    }

    void disarm() {
        armed.clear();
    }

    /**
     * A node finished an event in {@code phase}; if that phase is armed and the node may die, the workload
     * crashes it at this instant.
     *
     * @return true when the crash is due: the node must not act any more
     */
    boolean settled(SimNodeId id, Phase phase) {
        NodeState n = node(id);
        n.phase = phase;
        if (phase != null && armed.contains(phase) && crasher != null && world != null && !world.quiet()
                && world.now() >= nextCrashAt && crasher.mayCrash(id)) {
            armed.remove(phase);
            nextCrashAt = world.now() + CRASH_SPACING_MILLIS;
            crasher.crashSoon(id, phase);
            return true;
        }
        return false;
    }

    void crashed(Phase phase) {
        coverage.crashed(phase);
    }

    // ---------------------------------------------------------------- violations

    private void violate(String what) {
        if (violation == null) {
            violation = what;
        }
    }

    String violation() {
        return violation;
    }
}
