package io.clustermd.dlm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several {@link LockspaceNode}s wired by a lossless, globally FIFO in-memory network, stepped one
 * message at a time. Records every effect each node produced, and checks every node's invariants
 * and the cluster-wide "held modes are compatible" rule after every delivery.
 */
final class ClusterHarness {

  record Sent(NodeId from, NodeId to, DlmMessage message) {}

  final Map<NodeId, LockspaceNode> nodes = new LinkedHashMap<>();
  final Deque<Sent> wire = new ArrayDeque<>();
  /** Every message sent, in order, delivered or not. */
  final List<Sent> sent = new ArrayList<>();
  final Map<NodeId, List<NodeEffect>> effects = new HashMap<>();
  final Set<NodeId> dead = new HashSet<>();
  final Set<NodeId> leftCleanly = new HashSet<>();
  long now = 1;
  int delivered;

  NodeId add(String name, int lvbLength) {
    NodeId id = new NodeId(name, 1);
    nodes.put(id, new LockspaceNode(id, "ls", lvbLength, LockspaceNode.Options.defaults()));
    effects.put(id, new ArrayList<>());
    return id;
  }

  LockspaceNode node(NodeId id) {
    return nodes.get(id);
  }

  /** Gives every live node the view of all live nodes, then runs until quiet. */
  void viewAll() {
    List<NodeId> live = new ArrayList<>();
    for (NodeId n : nodes.keySet()) {
      if (!dead.contains(n)) {
        live.add(n);
      }
    }
    View v = new View(live, leftCleanly);
    for (NodeId n : live) {
      record(n, nodes.get(n).onView(v, now));
    }
    run();
  }

  /** A crash: the node's messages in flight are lost and it acts no more. */
  void crash(NodeId n) {
    dead.add(n);
    wire.removeIf(s -> s.from().equals(n) || s.to().equals(n));
  }

  void record(NodeId n, List<NodeEffect> out) {
    for (NodeEffect e : out) {
      effects.get(n).add(e);
      if (e instanceof NodeEffect.Send s) {
        sent.add(new Sent(n, s.to(), s.message()));
        if (!dead.contains(s.to())) {
          wire.add(new Sent(n, s.to(), s.message()));
        }
      }
    }
  }

  void run() {
    int guard = 0;
    while (!wire.isEmpty()) {
      if (++guard > 100_000) {
        fail("no quiescence after 100,000 messages");
      }
      Sent s = wire.poll();
      if (dead.contains(s.to()) || dead.contains(s.from())) {
        continue;
      }
      now++;
      record(s.to(), nodes.get(s.to()).onMessage(s.from(), s.message(), now));
      delivered++;
      check();
    }
  }

  void tick(long advance) {
    now += advance;
    for (Map.Entry<NodeId, LockspaceNode> e : nodes.entrySet()) {
      if (!dead.contains(e.getKey())) {
        record(e.getKey(), e.getValue().onTick(now));
      }
    }
    run();
  }

  void check() {
    for (Map.Entry<NodeId, LockspaceNode> e : nodes.entrySet()) {
      if (!dead.contains(e.getKey())) {
        e.getValue().checkInvariants();
      }
    }
  }

  LockId lock(NodeId n, String res, LockMode mode, LockFlag... flags) {
    return lock(n, res, mode, null, flags);
  }

  LockId lock(NodeId n, String res, LockMode mode, byte[] lvb, LockFlag... flags) {
    LockspaceNode.Result r = nodes.get(n).lock(ResourceName.of(res), mode, LockFlags.of(flags), lvb, true, now);
    LockspaceNode.Result.Accepted a = accepted(r);
    record(n, a.effects());
    run();
    return a.lock();
  }

  void convert(NodeId n, LockId id, LockMode mode, byte[] lvb, LockFlag... flags) {
    record(n, accepted(nodes.get(n).convert(id, mode, LockFlags.of(flags), lvb, now)).effects());
    run();
  }

  void unlock(NodeId n, LockId id, byte[] lvb, LockFlag... flags) {
    record(n, accepted(nodes.get(n).unlock(id, LockFlags.of(flags), lvb, now)).effects());
    run();
  }

  private static LockspaceNode.Result.Accepted accepted(LockspaceNode.Result r) {
    if (r instanceof LockspaceNode.Result.Accepted a) {
      return a;
    }
    throw new AssertionError("refused: " + r);
  }

  List<NodeEffect.Completed> completions(NodeId n, LockId id) {
    List<NodeEffect.Completed> out = new ArrayList<>();
    for (NodeEffect e : effects.get(n)) {
      if (e instanceof NodeEffect.Completed c && c.lock().equals(id)) {
        out.add(c);
      }
    }
    return out;
  }

  NodeEffect.Completed last(NodeId n, LockId id) {
    List<NodeEffect.Completed> c = completions(n, id);
    assertTrue(!c.isEmpty(), "no completion for " + id + " on " + n);
    return c.get(c.size() - 1);
  }

  boolean granted(NodeId n, LockId id, LockMode mode) {
    List<NodeEffect.Completed> c = completions(n, id);
    return !c.isEmpty() && c.get(c.size() - 1).status() == DlmStatus.OK && c.get(c.size() - 1).mode() == mode;
  }

  List<LockMode> basts(NodeId n, LockId id) {
    List<LockMode> out = new ArrayList<>();
    for (NodeEffect e : effects.get(n)) {
      if (e instanceof NodeEffect.Blocked b && b.lock().equals(id)) {
        out.add(b.mode());
      }
    }
    return out;
  }

  <T extends NodeEffect> List<T> all(NodeId n, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (NodeEffect e : effects.get(n)) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }
}
