package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.sim.Checker;
import io.clustermd.sim.WorldView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * (a) Granted modes are compatible cluster-wide (dlm.md §1.1), as the clients believe them from their
 * completions. The locks of a node that died keep counting until no live node has it in its view any more:
 * only then may recovery hand its locks to others. The windows in which a client cannot know its exact mode
 * count every mode it may hold ({@link LockRecord#possibleModes()}): two locks conflict only if every pair of
 * their possible modes does.
 */
final class CompatibilityChecker implements Checker {

    private final DlmModel model;
    private long checks;

    CompatibilityChecker(DlmModel model) {
        this.model = model;
    }

    @Override
    public String name() {
        return "dlm-compatible";
    }

    long checks() {
        return checks;
    }

    @Override
    public void afterEvent(WorldView world) {
        if (!model.takeGrantsChanged()) {
            return; // only a completion can add a conflict; calls, stops and removals only take modes away
        }
        checks++;
        Map<ResourceName, List<LockRecord>> holders = new HashMap<>();
        for (DlmModel.NodeState n : model.nodes()) {
            if (!model.locksCount(n, world)) {
                continue;
            }
            for (LockRecord r : n.locks.values()) {
                Set<LockMode> mine = r.possibleModes();
                if (mine.isEmpty()) {
                    continue;
                }
                List<LockRecord> others = holders.computeIfAbsent(r.resource, k -> new ArrayList<>());
                for (LockRecord o : others) {
                    if (conflict(o.possibleModes(), mine)) {
                        throw new Checker.CheckFailure("incompatible holders of " + r.resource + ": "
                                + describe(o, world) + " and " + describe(r, world));
                    }
                }
                others.add(r);
            }
        }
    }

    private static boolean conflict(Set<LockMode> a, Set<LockMode> b) {
        for (LockMode x : a) {
            for (LockMode y : b) {
                if (x.compatibleWith(y)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String describe(LockRecord r, WorldView world) {
        return r.node + "(" + world.status(r.node) + ")/" + r.id + " holding " + r.possibleModes() + " ops=" + r.ops;
    }
}
