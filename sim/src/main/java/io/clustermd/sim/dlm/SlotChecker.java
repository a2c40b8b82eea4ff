package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.cluster.NodeEffect;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.Slot;
import io.clustermd.dlm.core.cluster.View;
import io.clustermd.sim.Checker;
import io.clustermd.sim.StopCause;
import io.clustermd.sim.WorldView;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * (e) Slots and generations (dlm.md §9.3, §9.4). Every recover_done lists exactly the members of the view
 * it completed, one slot each, slots unique and from 1, our slot among them; a member keeps its slot for
 * as long as it stays (a member is one incarnation, so its slot never changes); one generation always
 * comes with one slot table, so members that finished the same recovery agree; each node's generations
 * increase. recover_slot names a member that failed (crashed or downed, not one that left cleanly) with
 * the slot it held. The generations start over at 1 only when every node that ever ran the lockspace is gone.
 */
final class SlotChecker implements Checker {

    private final Map<NodeId, Integer> slotOf = new HashMap<>();
    private final Map<Long, List<Slot>> tableOf = new HashMap<>();
    private final Map<NodeId, Long> lastGeneration = new HashMap<>();
    private final Map<NodeId, StopCause> stopped = new HashMap<>();
    /** Members of any completed recovery. */
    private final Set<NodeId> ran = new HashSet<>();
    private String violation;
    private long recoveries;

    @Override
    public String name() {
        return "dlm-slots";
    }

    @Override
    public void afterEvent(WorldView world) {
        Checker.require(violation == null, violation);
    }

    long recoveries() {
        return recoveries;
    }

    void stopped(NodeId node, StopCause cause) {
        stopped.put(node, cause);
    }

    void recoverDone(NodeId node, NodeEffect.RecoverDone d, View agreed) {
        recoveries++;
        String at = node + " recover_done gen=" + d.generation() + " slots=" + d.slots();
        List<NodeId> listed = d.slots().stream().map(Slot::node).toList();
        require(agreed != null && listed.equals(agreed.members()),
                at + ": the slots do not list the members " + (agreed == null ? null : agreed.members()));
        Set<Integer> numbers = new HashSet<>();
        Integer ours = null;
        for (Slot s : d.slots()) {
            require(s.slot() >= 1 && numbers.add(s.slot()), at + ": slot " + s.slot() + " is not unique or < 1");
            Integer before = slotOf.putIfAbsent(s.node(), s.slot());
            require(before == null || before == s.slot(), at + ": " + s.node() + " had slot " + before
                    + " and stayed a member");
            if (s.node().equals(node)) {
                ours = s.slot();
            }
        }
        require(ours != null && ours == d.ourSlot(), at + ": our slot " + d.ourSlot() + " is not ours in the table");
        List<Slot> first = tableOf.get(1L);
        if (d.generation() == 1 && first != null && !first.equals(d.slots())) {
            // Every member reported generation 0: the lockspace starts over. That is right only when every
            // node that ever ran it is gone (the whole cluster was lost, e.g. downed by the resolver).
            for (NodeId old : ran) {
                require(stopped.containsKey(old), at + ": the lockspace starts over at generation 1 while " + old
                        + ", which ran it, is alive");
            }
            tableOf.clear();
        }
        ran.addAll(listed);
        List<Slot> table = tableOf.putIfAbsent(d.generation(), d.slots());
        require(table == null || table.equals(d.slots()), at + ": generation " + d.generation()
                + " came with another slot table elsewhere: " + table);
        Long last = lastGeneration.put(node, d.generation());
        require(last == null || d.generation() > last, at + ": generation did not increase (was " + last + ")");
    }

    void recoverSlot(NodeId node, NodeEffect.RecoverSlot s) {
        String at = node + " recover_slot " + s.node() + " slot " + s.slot();
        StopCause cause = stopped.get(s.node());
        require(cause == StopCause.CRASHED || cause == StopCause.DOWNED,
                at + ": that member did not fail (" + (cause == null ? "still running" : cause) + ")");
        require(Integer.valueOf(s.slot()).equals(slotOf.get(s.node())),
                at + ": it held slot " + slotOf.get(s.node()));
    }

    void violation(String message) {
        if (violation == null) {
            violation = message;
        }
    }

    private void require(boolean condition, String message) {
        if (!condition && violation == null) {
            violation = message;
        }
    }
}
