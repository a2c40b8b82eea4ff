package io.clustermd.sim.messaging;

import io.clustermd.sim.Checker;
import io.clustermd.sim.WorldView;

/**
 * After every event: (1) one total order, (2) a sender returns OK only after every node alive and joined for
 * the whole send processed the message, (3) no node processes its own message, (4) none processes one twice.
 * The model finds a violation at the moment it happens (a handler finishing, a send completing).
 */
final class BroadcastChecker implements Checker {

    private final MessagingModel model;

    BroadcastChecker(MessagingModel model) {
        this.model = model;
    }

    @Override
    public String name() {
        return "messaging-broadcast";
    }

    @Override
    public void afterEvent(WorldView world) {
        String v = model.violation();
        Checker.require(v == null, v);
    }
}
