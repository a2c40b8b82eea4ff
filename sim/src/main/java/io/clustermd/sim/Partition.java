package io.clustermd.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A network partition: disjoint groups of node names; messages across groups are blackholed
 * (Artery's test-mode blackhole, reference/akka.md §3b). A name in no group belongs to group 0, so a
 * node that starts during a partition lands on the first (by convention the majority) side.
 */
public record Partition(List<Set<String>> groups) {

    /** No partition: everyone on one side. */
    public static final Partition NONE = new Partition(List.of());

    public Partition {
        List<Set<String>> copy = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Set<String> g : groups) {
            for (String name : g) {
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("node " + name + " is in two partition groups");
                }
            }
            copy.add(Collections.unmodifiableSet(new TreeSet<>(g)));
        }
        groups = List.copyOf(copy);
    }

    public static Partition of(List<Set<String>> groups) {
        return new Partition(groups);
    }

    public boolean isNone() {
        return groups.size() <= 1;
    }

    /** The group index of a name; names in no group are in group 0. */
    public int groupOf(String name) {
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).contains(name)) {
                return i;
            }
        }
        return 0;
    }

    public boolean sameSide(String a, String b) {
        return isNone() || groupOf(a) == groupOf(b);
    }

    @Override
    public String toString() {
        return isNone() ? "none" : groups.toString();
    }
}
