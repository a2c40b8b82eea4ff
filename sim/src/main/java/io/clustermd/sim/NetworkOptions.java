package io.clustermd.sim;

/**
 * Latency of the simulated Artery TCP link. Defaults follow akka.md §0: a round trip between two
 * ActorSystems on loopback has p50 0.15–0.31 ms and p99 0.5–2.8 ms, so one way is 0.1–2 ms here.
 */
public record NetworkOptions(long latencyMicrosMin, long latencyMicrosMax) {

    public static final NetworkOptions ARTERY_LOOPBACK = new NetworkOptions(100, 2_000);

    public NetworkOptions {
        if (latencyMicrosMin < 0 || latencyMicrosMax < latencyMicrosMin) {
            throw new IllegalArgumentException("need 0 <= min <= max latency, got " + latencyMicrosMin
                    + ".." + latencyMicrosMax);
        }
    }
}
