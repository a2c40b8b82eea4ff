package io.clustermd.dlm.core.cluster;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A lockspace membership as the shell reports it: the members (sorted), and which departed
 * members left cleanly (they released their locks and are not recovered as failed, dlm.md §9.2).
 * Because a restarted node is a new incarnation, a member set never repeats, so the set itself
 * identifies a recovery run.
 */
public record View(List<NodeId> members, Set<NodeId> leftCleanly) {

  public View {
    members = List.copyOf(new TreeSet<>(members));
    leftCleanly = Set.copyOf(leftCleanly);
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a view has at least one member");
    }
  }

  public static View of(NodeId... members) {
    return new View(List.of(members), Set.of());
  }

  public boolean contains(NodeId n) {
    return members.contains(n);
  }

  /** The member that coordinates recovery: the lowest, as fs/dlm's low node id (§9.4, §10.3). */
  public NodeId coordinator() {
    return members.get(0);
  }

  /** Same members; the clean-leave markers do not identify a run. */
  public boolean sameMembers(View other) {
    return other != null && members.equals(other.members);
  }
}
