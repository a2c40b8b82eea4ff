package io.clustermd.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one node believes the cluster is: members in Up order (oldest first, Akka's age ordering), the
 * members its failure detector cannot reach, those leaving, and the change that produced this view.
 *
 * @param change the event that produced this view; empty for the initial view
 */
public record View(List<SimNodeId> members, SortedSet<SimNodeId> unreachable, SortedSet<SimNodeId> leaving,
                   Optional<MemberEvent> change) {

    public static final View EMPTY = new View(List.of(), new TreeSet<>(), new TreeSet<>(), Optional.empty());

    public View {
        members = List.copyOf(members);
        unreachable = Collections.unmodifiableSortedSet(new TreeSet<>(unreachable));
        leaving = Collections.unmodifiableSortedSet(new TreeSet<>(leaving));
        Objects.requireNonNull(change, "change");
    }

    /** The initial view of a bootstrap member: everyone Up, nothing unreachable. */
    public static View initial(List<SimNodeId> members) {
        return new View(members, new TreeSet<>(), new TreeSet<>(), Optional.empty());
    }

    public boolean contains(SimNodeId id) {
        return members.contains(id);
    }

    /** Members this node's failure detector reaches. */
    public List<SimNodeId> reachable() {
        return members.stream().filter(m -> !unreachable.contains(m)).toList();
    }

    /** The oldest member (Akka's singleton placement); empty before this node has joined. */
    public Optional<SimNodeId> oldest() {
        return members.isEmpty() ? Optional.empty() : Optional.of(members.get(0));
    }

    /** The view after learning {@code event}. */
    public View apply(MemberEvent event) {
        List<SimNodeId> m = new ArrayList<>(members);
        TreeSet<SimNodeId> u = new TreeSet<>(unreachable);
        TreeSet<SimNodeId> l = new TreeSet<>(leaving);
        if (event instanceof MemberEvent.MemberUp up) {
            if (!m.contains(up.member())) {
                m.add(up.member());
            }
        } else if (event instanceof MemberEvent.MemberLeft left) {
            l.add(left.member());
        } else if (event instanceof MemberEvent.MemberRemoved removed) {
            m.remove(removed.member());
            u.remove(removed.member());
            l.remove(removed.member());
        } else if (event instanceof MemberEvent.UnreachableMember un) {
            u.add(un.member());
        } else if (event instanceof MemberEvent.ReachableMember re) {
            u.remove(re.member());
        }
        u.retainAll(m);
        l.retainAll(m);
        return new View(m, u, l, Optional.of(event));
    }

    @Override
    public String toString() {
        return "members=" + members + (unreachable.isEmpty() ? "" : " unreachable=" + unreachable)
                + (leaving.isEmpty() ? "" : " leaving=" + leaving);
    }
}
