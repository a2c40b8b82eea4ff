package io.clustermd.sim;

/**
 * Intensity and shape of the fault schedule.
 *
 * <p>Durations are chosen against {@link MembershipTimings#TUNED}: a short pause or partition (up to 5 s)
 * heals before detection (2.6–4.4 s) plus stable-after (3 s) could down anyone, sometimes after an
 * UnreachableMember; a long one (8–15 s) always outlasts it, so its victims are downed and removed.
 * Connection drops last at most half a second, well under acceptable-heartbeat-pause (2 s), so they cost
 * messages but never membership.
 *
 * @param faultIntervalMillis time between two nemesis steps (each picks one fault from {@code mix})
 * @param restartDelay        crash (or downing) to restart as a new incarnation
 * @param maxNodes            bound on nodes alive at once (add-node stops there)
 * @param minMembers          graceful removes stop here
 */
public record NemesisOptions(FaultMix mix, MillisRange faultIntervalMillis, MillisRange shortPause,
                             MillisRange longPause, MillisRange shortPartition, MillisRange longPartition,
                             MillisRange connectionDown, MillisRange restartDelay, int maxNodes, int minMembers) {

    public NemesisOptions {
        if (minMembers < 1 || maxNodes < minMembers) {
            throw new IllegalArgumentException("need 1 <= minMembers <= maxNodes");
        }
        if (faultIntervalMillis.min() < 1) {
            throw new IllegalArgumentException("fault interval must be at least 1 ms");
        }
    }

    /** Every fault kind, one step every 1–5 s. */
    public static NemesisOptions standard(int nodes) {
        return new NemesisOptions(FaultMix.ALL, MillisRange.of(1_000, 5_000), MillisRange.of(100, 5_000),
                MillisRange.of(8_000, 15_000), MillisRange.of(200, 5_000), MillisRange.of(8_000, 15_000),
                MillisRange.of(0, 500), MillisRange.of(500, 10_000), nodes + 2, 3);
    }

    /** No faults at all (a crashed or downed node is still restarted). */
    public static NemesisOptions quiet(int nodes) {
        return standard(nodes).withMix(FaultMix.NONE);
    }

    public NemesisOptions withMix(FaultMix m) {
        return new NemesisOptions(m, faultIntervalMillis, shortPause, longPause, shortPartition, longPartition,
                connectionDown, restartDelay, maxNodes, minMembers);
    }

    public NemesisOptions withFaultInterval(MillisRange r) {
        return new NemesisOptions(mix, r, shortPause, longPause, shortPartition, longPartition, connectionDown,
                restartDelay, maxNodes, minMembers);
    }

    public NemesisOptions withMaxNodes(int n) {
        return new NemesisOptions(mix, faultIntervalMillis, shortPause, longPause, shortPartition, longPartition,
                connectionDown, restartDelay, n, minMembers);
    }
}
