package io.clustermd.sim;

import java.util.Comparator;
import java.util.Objects;

/**
 * One incarnation of a simulated node: its stable name plus a counter that a restart increments.
 *
 * <p>This is Akka's {@code UniqueAddress} in miniature (reference/akka.md §6 "Stable per-node identity"):
 * the name is the host:port, the incarnation is the {@code longUid} that changes on every ActorSystem
 * start. A restarted node is a new member; messages addressed to the old incarnation are dropped, and
 * protocols must not let the new incarnation inherit the old one's state.
 *
 * <p>The natural order (name, then incarnation) is the "lowest address" that breaks keep-majority ties.
 */
public record SimNodeId(String name, int incarnation) implements Comparable<SimNodeId> {

    private static final Comparator<SimNodeId> ORDER =
            Comparator.comparing(SimNodeId::name).thenComparingInt(SimNodeId::incarnation);

    public SimNodeId {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("node name must not be blank");
        }
        if (incarnation < 1) {
            throw new IllegalArgumentException("incarnation must be >= 1, was " + incarnation);
        }
    }

    /** The incarnation a restart of this node gets. */
    public SimNodeId next() {
        return new SimNodeId(name, incarnation + 1);
    }

    @Override
    public int compareTo(SimNodeId other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return name + "#" + incarnation;
    }
}
