package io.clustermd.sim;

import java.util.Objects;

/**
 * Everything that shapes one run besides the scenario. Two runs with equal options are identical.
 *
 * @param nodes           cluster size at the start (bootstrap members n1..nN, all Up at time 0)
 * @param durationMillis  simulated run length, quiet period included
 * @param quietMillis     the final stretch without new faults, in which liveness must be reached
 * @param traceTail       trace lines kept for failure reports
 * @param eventsMax       bound on events per run (a livelocked protocol fails instead of spinning)
 * @param queuedEventsMax bound on the scheduler's queue
 * @param heldEventsMax   bound on events held for one paused node
 */
public record SimOptions(long seed, int nodes, long durationMillis, long quietMillis, NetworkOptions network,
                         MembershipTimings membership, NemesisOptions nemesis, int traceTail, long eventsMax,
                         int queuedEventsMax, int heldEventsMax) {

    public static final int DEFAULT_NODES = 5;
    public static final long DEFAULT_DURATION_MILLIS = 60_000;
    public static final long DEFAULT_QUIET_MILLIS = 20_000;

    public SimOptions {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(nemesis, "nemesis");
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes must be >= 1");
        }
        if (durationMillis <= 0 || quietMillis < 0 || quietMillis > durationMillis) {
            throw new IllegalArgumentException("need 0 <= quiet <= duration, duration > 0; got quiet="
                    + quietMillis + " duration=" + durationMillis);
        }
        if (traceTail < 1 || eventsMax < 1 || queuedEventsMax < 1 || heldEventsMax < 1) {
            throw new IllegalArgumentException("bounds must be positive");
        }
    }

    /** 5 nodes, 60 s with the last 20 s quiet, Artery loopback latency, tuned timings, every fault. */
    public static SimOptions defaults(long seed) {
        return new SimOptions(seed, DEFAULT_NODES, DEFAULT_DURATION_MILLIS, DEFAULT_QUIET_MILLIS,
                NetworkOptions.ARTERY_LOOPBACK, MembershipTimings.TUNED, NemesisOptions.standard(DEFAULT_NODES),
                50, 5_000_000, 1_000_000, 100_000);
    }

    public long faultsEndMillis() {
        return durationMillis - quietMillis;
    }

    /**
     * The latest a run may go on past its duration while a checker still sees progress toward its end state
     * ({@link Checker#settleUntilMillis}): the duration plus four quiet periods.
     */
    public long settleCapMillis() {
        return durationMillis + 4 * quietMillis;
    }

    public SimOptions withSeed(long s) {
        return new SimOptions(s, nodes, durationMillis, quietMillis, network, membership, nemesis, traceTail,
                eventsMax, queuedEventsMax, heldEventsMax);
    }

    /** Changes the cluster size; the nemesis's node bound follows (nodes + 2). */
    public SimOptions withNodes(int n) {
        return new SimOptions(seed, n, durationMillis, quietMillis, network, membership,
                nemesis.withMaxNodes(n + 2), traceTail, eventsMax, queuedEventsMax, heldEventsMax);
    }

    /** Changes the duration; the quiet period stays, capped at the duration. */
    public SimOptions withDurationMillis(long d) {
        return new SimOptions(seed, nodes, d, Math.min(quietMillis, d), network, membership, nemesis, traceTail,
                eventsMax, queuedEventsMax, heldEventsMax);
    }

    public SimOptions withQuietMillis(long q) {
        return new SimOptions(seed, nodes, durationMillis, q, network, membership, nemesis, traceTail, eventsMax,
                queuedEventsMax, heldEventsMax);
    }

    public SimOptions withNemesis(NemesisOptions n) {
        return new SimOptions(seed, nodes, durationMillis, quietMillis, network, membership, n, traceTail, eventsMax,
                queuedEventsMax, heldEventsMax);
    }

    /** Changes how many trace lines a failure report keeps. */
    public SimOptions withTraceTail(int lines) {
        return new SimOptions(seed, nodes, durationMillis, quietMillis, network, membership, nemesis, lines,
                eventsMax, queuedEventsMax, heldEventsMax);
    }

    public SimOptions withMembership(MembershipTimings m) {
        return new SimOptions(seed, nodes, durationMillis, quietMillis, network, m, nemesis, traceTail, eventsMax,
                queuedEventsMax, heldEventsMax);
    }

    public SimOptions withNetwork(NetworkOptions n) {
        return new SimOptions(seed, nodes, durationMillis, quietMillis, n, membership, nemesis, traceTail, eventsMax,
                queuedEventsMax, heldEventsMax);
    }
}
