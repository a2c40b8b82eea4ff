package io.clustermd.sim;

/**
 * How fast the simulated cluster notices and decides, modelled on the "tuned" profile of
 * reference/akka.md §3c (heartbeat 500 ms, acceptable pause 2 s, stable-after 3 s, gossip 500 ms).
 *
 * <ul>
 *   <li>{@code detection}: crash to UnreachableMember, per observer: 2.6–4.4 s (§0 table, §3b, §3c).</li>
 *   <li>{@code stableAfter}: the split brain resolver acts when the unreachable set has not changed for
 *       this long: 3 s.</li>
 *   <li>{@code gossip}: from a leader decision to one node learning it: 0.3–1.3 s, so crash to
 *       MemberRemoved is 5.9–8.7 s (measured: 6.2–8.7 s, §3c; "~6–9 s").</li>
 *   <li>{@code reachableAgain}: heal to ReachableMember: 0.5–0.96 s (§3b table, tuned).</li>
 *   <li>{@code leave}: graceful leave to MemberRemoved: 0.3–1.7 s (§4, SIGTERM).</li>
 *   <li>{@code join}: process start to Up; not measured in akka.md without JVM start, so a couple of
 *       leader-action intervals: 0.5–2 s.</li>
 * </ul>
 */
public record MembershipTimings(long detectionMillisMin, long detectionMillisMax, long stableAfterMillis,
                                long gossipMillisMin, long gossipMillisMax,
                                long reachableAgainMillisMin, long reachableAgainMillisMax,
                                long leaveMillisMin, long leaveMillisMax,
                                long joinMillisMin, long joinMillisMax) {

    public static final MembershipTimings TUNED =
            new MembershipTimings(2_600, 4_400, 3_000, 300, 1_300, 500, 960, 300, 1_700, 500, 2_000);

    public MembershipTimings {
        requireRange("detection", detectionMillisMin, detectionMillisMax);
        requireRange("gossip", gossipMillisMin, gossipMillisMax);
        requireRange("reachableAgain", reachableAgainMillisMin, reachableAgainMillisMax);
        requireRange("leave", leaveMillisMin, leaveMillisMax);
        requireRange("join", joinMillisMin, joinMillisMax);
        if (stableAfterMillis <= 0) {
            throw new IllegalArgumentException("stableAfterMillis must be positive");
        }
    }

    /** Timings with no randomness, for tests that assert exact instants. */
    public static MembershipTimings fixed(long detectionMillis, long stableAfterMillis, long gossipMillis) {
        return new MembershipTimings(detectionMillis, detectionMillis, stableAfterMillis, gossipMillis, gossipMillis,
                gossipMillis, gossipMillis, gossipMillis, gossipMillis, gossipMillis, gossipMillis);
    }

    /** The earliest a crashed node can be removed from a view. */
    public long crashToRemovedMillisMin() {
        return detectionMillisMin + stableAfterMillis + gossipMillisMin;
    }

    /** The latest a crashed node is removed from every view, once nothing else changes. */
    public long crashToRemovedMillisMax() {
        return detectionMillisMax + stableAfterMillis + gossipMillisMax;
    }

    private static void requireRange(String what, long min, long max) {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException(what + ": need 0 <= min <= max, got " + min + ".." + max);
        }
    }
}
