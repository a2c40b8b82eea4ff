package io.clustermd.sim;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * A network that behaves like Akka Artery over TCP (reference/akka.md §0, §3b, §5):
 *
 * <ul>
 *   <li>Per ordered pair of incarnations, delivery is FIFO with a random latency, and nothing is ever
 *       duplicated: an arrival time is never earlier than the previous arrival on the same pair, and ties
 *       run in send order (the scheduler orders by time, then sequence).</li>
 *   <li>Delivery is at most once. A message is lost when its pair's connection drops while it is in
 *       flight (both directions), when it is sent while that connection is down, when sender and receiver
 *       are on different sides of a partition (blackhole) at send or at arrival, when the sender has
 *       crashed (or was downed, or left) by the time it arrives, and when the addressed incarnation is
 *       dead or was replaced by a restart (Artery's quarantine of an old uid).</li>
 *   <li>Nothing here changes membership: a short drop is invisible to the failure detector, as in Akka
 *       where only a silence longer than acceptable-heartbeat-pause is noticed.</li>
 * </ul>
 *
 * <p>A receiver that is paused still receives (its kernel buffers the stream); the world holds the
 * message until it resumes. Losses before arrival are reported through {@code observations}.
 */
public final class SimNetwork {

    private record Pair(SimNodeId from, SimNodeId to) {}

    /** The connection between two names, both directions; Artery re-establishes it after a drop. */
    private static final class Connection {
        long epoch;
        long downUntilMicros;
    }

    private final NetworkOptions options;
    private final SimScheduler scheduler;
    private final RandomGenerator random;
    private final Predicate<SimNodeId> canAct;
    private final Consumer<Observation> observations;
    private final Map<Pair, Long> lastArrivalMicros = new HashMap<>();
    private final Map<String, Connection> connections = new HashMap<>();
    private Partition partition = Partition.NONE;
    private long nextSeq;

    /**
     * @param canAct       whether an incarnation is running or paused (not crashed, downed, left, or replaced)
     * @param observations where losses at send time are reported
     */
    public SimNetwork(NetworkOptions options, SimScheduler scheduler, RandomGenerator random,
                      Predicate<SimNodeId> canAct, Consumer<Observation> observations) {
        this.options = options;
        this.scheduler = scheduler;
        this.random = random;
        this.canAct = canAct;
        this.observations = observations;
    }

    /** Sends a message; it arrives later as a {@link SimEvent.MessageArrives}, or is reported lost now. */
    public <M> void send(SimNodeId from, SimNodeId to, M message) {
        long now = scheduler.nowMicros();
        Connection c = connection(from.name(), to.name());
        Envelope<M> env = new Envelope<>(from, to, message, now, nextSeq++, c.epoch);
        if (!partition.sameSide(from.name(), to.name())) {
            observations.accept(new Observation.Lost(env, LossReason.PARTITIONED));
            return;
        }
        if (now < c.downUntilMicros) {
            observations.accept(new Observation.Lost(env, LossReason.CONNECTION_DOWN));
            return;
        }
        long latency = options.latencyMicrosMin() == options.latencyMicrosMax()
                ? options.latencyMicrosMin()
                : random.nextLong(options.latencyMicrosMin(), options.latencyMicrosMax() + 1);
        Pair pair = new Pair(from, to);
        long at = Math.max(now + latency, lastArrivalMicros.getOrDefault(pair, 0L));
        lastArrivalMicros.put(pair, at);
        scheduler.scheduleAt(at, new SimEvent.MessageArrives(env));
    }

    /** Decides, when a message reaches its receiver, whether it was lost on the way. */
    public Optional<LossReason> lossAtArrival(Envelope<?> env) {
        if (connection(env.from().name(), env.to().name()).epoch != env.connectionEpoch()) {
            return Optional.of(LossReason.CONNECTION_DROPPED);
        }
        if (!partition.sameSide(env.from().name(), env.to().name())) {
            return Optional.of(LossReason.PARTITIONED);
        }
        if (!canAct.test(env.from())) {
            return Optional.of(LossReason.SENDER_DEAD);
        }
        if (!canAct.test(env.to())) {
            return Optional.of(LossReason.RECEIVER_DEAD);
        }
        return Optional.empty();
    }

    /**
     * Drops the connection between two nodes: everything in flight between them, both directions, is
     * lost, and messages sent in the next {@code downMillis} are lost too; then it heals by itself.
     */
    public void dropConnection(String a, String b, long downMillis) {
        if (downMillis < 0) {
            throw new IllegalArgumentException("negative downMillis");
        }
        Connection c = connection(a, b);
        c.epoch++;
        c.downUntilMicros = scheduler.nowMicros() + downMillis * 1000;
    }

    public void partition(Partition p) {
        this.partition = p;
    }

    public void heal() {
        this.partition = Partition.NONE;
    }

    public Partition currentPartition() {
        return partition;
    }

    public boolean sameSide(String a, String b) {
        return partition.sameSide(a, b);
    }

    private Connection connection(String a, String b) {
        String key = a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
        return connections.computeIfAbsent(key, k -> new Connection());
    }
}
