package io.clustermd.sim;

/**
 * Always on: nobody learns that a member was removed while that member could still act (it must be
 * crashed, downed-and-terminated, or exited). This is the property a protocol relies on when it
 * recovers a removed node's state (DESIGN.md §4, §8); a removal with the wrong previous status is a
 * violation too (Exiting only for a graceful leave, Down otherwise).
 */
public final class MembershipSafetyChecker implements Checker {

    @Override
    public String name() {
        return "removal-safety";
    }

    @Override
    public void afterEvent(WorldView world) {
        for (Observation o : world.lastObservations()) {
            if (o instanceof Observation.ViewChanged v
                    && v.view().change().orElse(null) instanceof MemberEvent.MemberRemoved r) {
                SimNodeId x = r.member();
                NodeStatus s = world.status(x);
                Checker.require(!s.canAct(), v.node() + " removed " + x + " from its view while " + x + " is " + s
                        + " and could still act");
                boolean clean = r.previousStatus() == MemberEvent.PreviousStatus.EXITING;
                Checker.require(clean == (s == NodeStatus.LEFT), v.node() + " learned " + r + " but " + x
                        + " ended " + s);
            }
        }
    }
}
