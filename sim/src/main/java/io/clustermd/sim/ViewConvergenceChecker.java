package io.clustermd.sim;

/**
 * Always on, at the end of a run (after the quiet period): the cluster healed. Every member is running,
 * every running node is a member, and every running node's view is the leader's membership with nobody
 * unreachable or leaving.
 */
public final class ViewConvergenceChecker implements Checker {

    @Override
    public String name() {
        return "views-converge";
    }

    @Override
    public void afterEvent(WorldView world) {
    }

    @Override
    public void atEnd(WorldView world) {
        for (SimNodeId m : world.members()) {
            Checker.require(world.status(m) == NodeStatus.RUNNING, "member " + m + " is " + world.status(m)
                    + " at the end of the quiet period; members=" + world.members());
        }
        for (SimNodeId n : world.alive()) {
            Checker.require(world.members().contains(n), n + " is alive but never became a member; members="
                    + world.members());
            View v = world.view(n).orElseThrow();
            Checker.require(v.members().equals(world.members()) && v.unreachable().isEmpty()
                    && v.leaving().isEmpty(), n + " ends with view " + v + " but the cluster is " + world.members());
        }
    }
}
