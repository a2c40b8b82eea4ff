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
                Envelope<?> e = d.envelope();
                Checker.require(world.canAct(e.from()), "delivered a message from " + e.from() + ", which is "
                        + world.status(e.from()) + ": " + e);
                Checker.require(world.canAct(e.to()), "delivered a message to " + e.to() + ", which is "
                        + world.status(e.to()) + ": " + e);
                Long last = lastDeliveredSeq.put(new Pair(e.from(), e.to()), e.seq());
                Checker.require(last == null || last < e.seq(), "FIFO/no-duplicates broken on " + e.from() + "->"
                        + e.to() + ": delivered send #" + e.seq() + " after send #" + last);
            }
        }
    }
}
