package io.clustermd.sim;

import java.util.Objects;

/**
 * One message on the simulated wire.
 *
 * @param seq            network-wide send counter, only for reading traces
 * @param connectionEpoch the epoch of the pair's connection when it was sent; a drop bumps the epoch,
 *                       which is how everything in flight at the drop gets lost
 */
public record Envelope<M>(SimNodeId from, SimNodeId to, M message, long sentAtMicros, long seq,
                          long connectionEpoch) {

    public Envelope {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return from + "->" + to + " " + message;
    }
}
