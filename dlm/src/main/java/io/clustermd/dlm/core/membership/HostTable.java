package io.clustermd.dlm.core.membership;

import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.View;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which agents host which lockspaces, and the lockspace views that follow from it (dlm.md §9.2: the
 * lockspace membership is the set of nodes that joined it; dlm_controld learns it from corosync,
 * we learn it from the agents' {@code Hosted} tables over Akka Cluster).
 *
 * <p>Rules, and why:
 *
 * <ul>
 *   <li>A remote member counts from its agent's first table that lists it until that agent is
 *       removed from the cluster (a crashed agent keeps counting until the split brain resolver
 *       removed it: its locks must not be handed out while it might still act on them).
 *   <li>A member whose agent announces it as leaving, or no longer lists it while still in the
 *       cluster, left cleanly: it is not recovered as failed.
 *   <li>A local join produces no view until every cluster member has answered a query sent after
 *       the join began (the join barrier). So a new member's first view contains every member that
 *       was running when it joined, and two lockspaces of the same name never run apart.
 * </ul>
 *
 * <p>An agent is named by an opaque string that differs per incarnation (the shell passes the Akka
 * address with the member uid), so a restarted agent never inherits its predecessor's members.
 */
public final class HostTable {

  /** A lockspace as one agent hosts it. */
  public record Entry(String lockspace, NodeId member, int lvbLength, boolean leaving) {}

  /** A lockspace's membership changed: hand {@code view} to that lockspace's node. */
  public record ViewChange(String lockspace, View view) {}

  private static final class Join {
    final long queryId;
    final Set<String> waitingFor;

    Join(long queryId, Set<String> waitingFor) {
      this.queryId = queryId;
      this.waitingFor = waitingFor;
    }
  }

  private final Set<String> cluster = new HashSet<>();
  private final Map<String, Long> seqs = new HashMap<>();
  private final Map<String, Map<String, Entry>> remote = new HashMap<>();
  private final Map<String, Entry> local = new TreeMap<>();
  private final Map<String, Join> joins = new HashMap<>();
  private final Map<String, View> views = new HashMap<>();
  /** Every remote member ever listed, and its agent (pruned when the agent is removed). */
  private final Map<NodeId, String> agents = new HashMap<>();
  private long localSeq;

  // ---- inputs from the cluster ----------------------------------------------------------------

  /** An agent is a cluster member (any status short of removed). */
  public List<ViewChange> memberUp(String address) {
    if (!cluster.add(address)) {
      return List.of();
    }
    return recompute();
  }

  /** An agent was removed from the cluster (downed by the resolver, or left): its members are gone. */
  public List<ViewChange> memberRemoved(String address) {
    cluster.remove(address);
    remote.remove(address);
    seqs.remove(address);
    agents.values().removeIf(address::equals);
    for (Join j : joins.values()) {
      j.waitingFor.remove(address);
    }
    return recompute();
  }

  /**
   * An agent's table. Older tables than one already seen are ignored; {@code queryId} answers a
   * join's query when it is that join's.
   */
  public List<ViewChange> hosted(String address, long seq, long queryId, List<Entry> entries) {
    Long last = seqs.get(address);
    if (last == null || seq > last) {
      seqs.put(address, seq);
      Map<String, Entry> table = new HashMap<>();
      for (Entry e : entries) {
        table.put(e.lockspace(), e);
        agents.put(e.member(), address);
      }
      remote.put(address, table);
    }
    if (queryId != 0) {
      for (Join j : joins.values()) {
        if (j.queryId == queryId) {
          j.waitingFor.remove(address);
        }
      }
    }
    return recompute();
  }

  // ---- inputs from local lockspaces -----------------------------------------------------------

  /**
   * A local lockspace starts joining; query every cluster member (the returned addresses) with
   * {@code queryId} and report their answers through {@link #hosted}.
   */
  public Set<String> join(Entry entry, long queryId) {
    if (local.containsKey(entry.lockspace())) {
      throw new IllegalStateException("lockspace " + entry.lockspace() + " is already hosted here");
    }
    local.put(entry.lockspace(), entry);
    localSeq++;
    Join j = new Join(queryId, new HashSet<>(cluster));
    joins.put(entry.lockspace(), j);
    return Set.copyOf(j.waitingFor);
  }

  /** Whether a lockspace's join still waits for answers, and from whom. */
  public Set<String> awaitingAnswers(String lockspace) {
    Join j = joins.get(lockspace);
    return j == null ? Set.of() : Set.copyOf(j.waitingFor);
  }

  public long queryIdOf(String lockspace) {
    Join j = joins.get(lockspace);
    return j == null ? 0 : j.queryId;
  }

  /** The local member released its locks and leaves cleanly; announced from now on. */
  public void leaving(String lockspace) {
    Entry e = local.get(lockspace);
    if (e != null && !e.leaving()) {
      local.put(lockspace, new Entry(e.lockspace(), e.member(), e.lvbLength(), true));
      localSeq++;
    }
  }

  /** The local lockspace is gone (left, refused or removed); it may be joined again later. */
  public void forget(String lockspace) {
    local.remove(lockspace);
    joins.remove(lockspace);
    views.remove(lockspace);
    localSeq++;
  }

  /** What this agent announces: its table and the sequence number that orders it. */
  public List<Entry> localTable() {
    return List.copyOf(local.values());
  }

  public long localSeq() {
    return localSeq;
  }

  public Set<String> clusterMembers() {
    return Set.copyOf(cluster);
  }

  // ---- views ----------------------------------------------------------------------------------

  /** Recomputes every joined local lockspace's view; returns those that changed. */
  public List<ViewChange> recompute() {
    List<ViewChange> out = new ArrayList<>();
    for (Entry e : local.values()) {
      if (e.leaving()) {
        continue;
      }
      Join j = joins.get(e.lockspace());
      if (j != null && !j.waitingFor.isEmpty()) {
        continue;
      }
      joins.remove(e.lockspace());
      View v = viewOf(e);
      View before = views.get(e.lockspace());
      if (!v.sameMembers(before)) {
        views.put(e.lockspace(), v);
        out.add(new ViewChange(e.lockspace(), v));
      }
    }
    return out;
  }

  private View viewOf(Entry self) {
    List<NodeId> members = new ArrayList<>();
    members.add(self.member());
    Set<NodeId> present = new HashSet<>();
    for (Map.Entry<String, Map<String, Entry>> agent : remote.entrySet()) {
      if (!cluster.contains(agent.getKey())) {
        continue;
      }
      Entry e = agent.getValue().get(self.lockspace());
      if (e == null) {
        continue;
      }
      present.add(e.member());
      if (!e.leaving()) {
        members.add(e.member());
      }
    }
    // Members of the previous view that are gone while their agent is still a cluster member (or
    // announced leaving) left cleanly; those whose agent was removed failed.
    Set<NodeId> clean = new HashSet<>();
    View before = views.get(self.lockspace());
    if (before != null) {
      for (NodeId m : before.members()) {
        if (!members.contains(m) && (present.contains(m) || agentOf(m) != null)) {
          clean.add(m);
        }
      }
    }
    return new View(members, clean);
  }

  /** The agent of a member, while that agent is a cluster member; null otherwise. */
  private String agentOf(NodeId member) {
    String agent = agents.get(member);
    return agent != null && cluster.contains(agent) ? agent : null;
  }
}
