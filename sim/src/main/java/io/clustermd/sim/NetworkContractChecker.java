package io.clustermd.sim;

import java.util.HashMap;
import java.util.Map;

/**
 * Always on: the network kept Artery's contract. Per ordered pair of incarnations, delivered messages
 * come in send order with no duplicates (send sequence numbers strictly increase), and no message is
 * delivered from or to an incarnation that can no longer act.
 */
public final class NetworkContractChecker implements Checker {

    private record Pair(SimNodeId from, SimNodeId to) {}

    private final Map<Pair, Long> lastDeliveredSeq = new HashMap<>();

    @Override
    public String name() {
        return "network-contract";
    }

    @Override
    public void afterEvent(WorldView world) {
        for (Observation o : world.lastObservations()) {
            if (o instanceof Observation.Delivered d) {
                // Messages are built only on failure: an envelope's text can be long, and this runs per delivery.
                Envelope<?> e = d.envelope();
                if (!world.canAct(e.from())) {
                    throw new CheckFailure("delivered a message from " + e.from() + ", which is "
                            + world.status(e.from()) + ": " + e);
                }
                if (!world.canAct(e.to())) {
                    throw new CheckFailure("delivered a message to " + e.to() + ", which is "
                            + world.status(e.to()) + ": " + e);
                }
                Long last = lastDeliveredSeq.put(new Pair(e.from(), e.to()), e.seq());
                if (last != null && last >= e.seq()) {
                    throw new CheckFailure("FIFO/no-duplicates broken on " + e.from() + "->" + e.to()
                            + ": delivered send #" + e.seq() + " after send #" + last);
                }
            }
        }
    }
}
