package io.clustermd.dlm.core.cluster;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Seeded random runs of several {@link LockspaceNode}s: per-pair FIFO delivery in random
 * interleaving, random lock traffic from every node, crashes whose removal reaches each survivor
 * at a different moment, and joins of new incarnations. After every step: held modes are
 * compatible cluster-wide (a crashed node's locks count until every survivor removed it). Once
 * faults stop: every accepted operation completed exactly once and nothing is left pending.
 *
 * <p>{@code -Dclustermd.dlm.random.seeds=N} runs more seeds; {@code -Dclustermd.sim.seed=S} replays one.
 */
class LockspaceNodeRandomTest {

  private static final String[] RESOURCES = {"r0", "r1", "r2"};
  private static final LockMode[] MODES = LockMode.values();

  @Test
  @DisplayName("dlm.md §4-§11: random traffic, crashes and joins keep held modes compatible, and every operation completes once faults stop")
  void randomRuns() {
    String one = System.getProperty("clustermd.sim.seed");
    if (one != null) {
      run(Long.parseLong(one));
      return;
    }
    int seeds = Integer.getInteger("clustermd.dlm.random.seeds", 300);
    for (long seed = 1; seed <= seeds; seed++) {
      run(seed);
    }
  }

  private static final class World {
    final Random rnd;
    final Map<NodeId, LockspaceNode> nodes = new LinkedHashMap<>();
    final Map<NodeId, Deque<Object[]>> pairQueues = new TreeMap<>();
    final Map<String, Deque<DlmMessage>> wires = new HashMap<>();
    final java.util.Set<NodeId> dead = new java.util.HashSet<>();
    /** Crashed nodes not yet removed from every survivor's view: their locks still count. */
    final Map<NodeId, java.util.Set<NodeId>> unremovedAt = new HashMap<>();
    final Map<NodeId, Deque<View>> pendingViews = new HashMap<>();
    /** Per node and lock: operations accepted minus completions received. */
    final Map<NodeId, Map<LockId, Integer>> outstanding = new HashMap<>();
    /** Last known granted mode per node and lock (from completions). */
    final Map<NodeId, Map<LockId, LockMode>> heldModes = new HashMap<>();
    final Map<NodeId, Map<LockId, ResourceName>> names = new HashMap<>();
    final Map<NodeId, java.util.Set<LockId>> unlocking = new HashMap<>();
    /** Locks with a PR<->CW conversion in flight, and its target mode. */
    final Map<NodeId, Map<LockId, LockMode>> middle = new HashMap<>();
    final List<String> trace = new ArrayList<>();
    long now = 1;
    int incarnation = 1;
    int nextName = 0;

    World(long seed) {
      rnd = new Random(seed);
    }
  }

  private void run(long seed) {
    World w = new World(seed);
    try {
      int n = 3 + w.rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        addNode(w);
      }
      broadcastView(w);
      int steps = 1500;
      for (int step = 0; step < steps; step++) {
        boolean faults = step < steps * 2 / 3;
        int dice = w.rnd.nextInt(100);
        if (dice < 55) {
          deliverOne(w);
        } else if (dice < 85) {
          clientOp(w);
        } else if (dice < 92) {
          deliverView(w);
        } else if (dice < 94 && faults && live(w).size() > 2) {
          crash(w);
        } else if (dice < 95 && faults && live(w).size() < 6) {
          addNode(w);
          broadcastView(w);
        } else {
          tick(w, 1 + w.rnd.nextInt(30));
        }
        checkSafety(w);
      }
      // Quiet period: no faults, no new operations; deliver everything.
      for (int i = 0; i < 200_000 && !quiet(w); i++) {
        if (!deliverView(w) && !deliverOne(w)) {
          tick(w, 50);
        }
        checkSafety(w);
      }
      checkLiveness(w);
    } catch (Throwable t) {
      StringBuilder sb = new StringBuilder();
      int from = Math.max(0, w.trace.size() - Integer.getInteger("clustermd.trace.lines", 60));
      for (String line : w.trace.subList(from, w.trace.size())) {
        sb.append("\n  ").append(line);
      }
      for (NodeId n : live(w)) {
        sb.append("\n  state: ").append(w.nodes.get(n).describe());
      }
      fail("seed " + seed + " failed (replay: -Dclustermd.sim.seed=" + seed + "): " + t + sb, t);
    }
  }

  private static List<NodeId> live(World w) {
    List<NodeId> out = new ArrayList<>();
    for (NodeId n : w.nodes.keySet()) {
      if (!w.dead.contains(n) && !w.nodes.get(n).isRemoved()) {
        out.add(n);
      }
    }
    return out;
  }

  private static void addNode(World w) {
    NodeId id = new NodeId("n" + (w.nextName++), w.incarnation++);
    w.nodes.put(id, new LockspaceNode(id, "ls", 8, LockspaceNode.Options.defaults()));
    w.outstanding.put(id, new HashMap<>());
    w.heldModes.put(id, new HashMap<>());
    w.names.put(id, new HashMap<>());
    w.unlocking.put(id, new java.util.HashSet<>());
    w.middle.put(id, new HashMap<>());
    w.pendingViews.put(id, new ArrayDeque<>());
    w.trace.add("add " + id);
  }

  /** Queues the view of all live nodes for delivery to each live node at a random later step. */
  private static void broadcastView(World w) {
    View v = new View(live(w), Set.of());
    for (NodeId n : live(w)) {
      w.pendingViews.get(n).add(v);
    }
  }

  private static boolean deliverView(World w) {
    List<NodeId> candidates = new ArrayList<>();
    for (NodeId n : live(w)) {
      if (!w.pendingViews.get(n).isEmpty()) {
        candidates.add(n);
      }
    }
    if (candidates.isEmpty()) {
      return false;
    }
    NodeId n = candidates.get(w.rnd.nextInt(candidates.size()));
    View v = w.pendingViews.get(n).poll();
    w.trace.add("view " + n + " <- " + v.members());
    for (Map.Entry<NodeId, java.util.Set<NodeId>> e : w.unremovedAt.entrySet()) {
      if (!v.contains(e.getKey())) {
        e.getValue().remove(n);
      }
    }
    w.unremovedAt.values().removeIf(java.util.Set::isEmpty);
    apply(w, n, w.nodes.get(n).onView(v, w.now));
    return true;
  }

  private static void crash(World w) {
    List<NodeId> live = live(w);
    NodeId victim = live.get(w.rnd.nextInt(live.size()));
    w.dead.add(victim);
    w.trace.add("crash " + victim);
    w.wires.entrySet().removeIf(e -> e.getKey().startsWith(victim + ">") || e.getKey().endsWith(">" + victim));
    java.util.Set<NodeId> survivors = new java.util.HashSet<>(live(w));
    for (java.util.Set<NodeId> waiting : w.unremovedAt.values()) {
      waiting.remove(victim); // a crashed node removes nobody
    }
    w.unremovedAt.values().removeIf(java.util.Set::isEmpty);
    w.unremovedAt.put(victim, survivors);
    // The crashed node's pending operations can never complete: forget them.
    w.outstanding.get(victim).clear();
    broadcastView(w);
  }

  private static boolean deliverOne(World w) {
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, Deque<DlmMessage>> e : w.wires.entrySet()) {
      if (!e.getValue().isEmpty()) {
        keys.add(e.getKey());
      }
    }
    if (keys.isEmpty()) {
      return false;
    }
    java.util.Collections.sort(keys);
    String key = keys.get(w.rnd.nextInt(keys.size()));
    DlmMessage m = w.wires.get(key).poll();
    String[] parts = key.split(">");
    NodeId from = byName(w, parts[0]);
    NodeId to = byName(w, parts[1]);
    w.now++;
    w.trace.add(from + " -> " + to + ": " + brief(m));
    apply(w, to, w.nodes.get(to).onMessage(from, m, w.now));
    return true;
  }

  private static String brief(DlmMessage m) {
    String s = m.toString();
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  private static NodeId byName(World w, String s) {
    for (NodeId n : w.nodes.keySet()) {
      if (n.toString().equals(s)) {
        return n;
      }
    }
    throw new IllegalStateException(s);
  }

  private static void tick(World w, long advance) {
    w.now += advance;
    for (NodeId n : live(w)) {
      apply(w, n, w.nodes.get(n).onTick(w.now));
    }
  }

  private static void clientOp(World w) {
    List<NodeId> live = live(w);
    NodeId n = live.get(w.rnd.nextInt(live.size()));
    LockspaceNode node = w.nodes.get(n);
    Map<LockId, ResourceName> mine = w.names.get(n);
    int kind = w.rnd.nextInt(10);
    if (mine.isEmpty() || kind < 4) {
      ResourceName res = ResourceName.of(RESOURCES[w.rnd.nextInt(RESOURCES.length)]);
      LockMode mode = MODES[w.rnd.nextInt(MODES.length)];
      LockFlags flags = w.rnd.nextInt(5) == 0 ? LockFlags.of(LockFlag.NOQUEUE) : LockFlags.NONE;
      byte[] lvb = w.rnd.nextBoolean() ? new byte[8] : null;
      if (lvb != null) {
        flags = flags.with(LockFlag.VALBLK);
      }
      LockspaceNode.Result r = node.lock(res, mode, flags, lvb, true, w.now);
      if (r instanceof LockspaceNode.Result.Accepted a) {
        mine.put(a.lock(), res);
        w.outstanding.get(n).merge(a.lock(), 1, Integer::sum);
        w.trace.add(n + " lock " + a.lock() + " " + res + " " + mode + " " + flags);
        apply(w, n, a.effects());
      }
      return;
    }
    List<LockId> ids = new ArrayList<>(mine.keySet());
    LockId id = ids.get(w.rnd.nextInt(ids.size()));
    LockspaceNode.Result r;
    String what;
    if (kind < 7) {
      LockMode mode = MODES[w.rnd.nextInt(MODES.length)];
      r = node.convert(id, mode, LockFlags.NONE, null, w.now);
      what = "convert " + id + " " + mode;
      LockMode from = w.heldModes.get(n).get(id);
      if (r instanceof LockspaceNode.Result.Accepted && from != null && from.isMiddleConversionTo(mode)) {
        w.middle.get(n).put(id, mode);
      }
    } else if (kind < 9) {
      r = node.unlock(id, LockFlags.NONE, null, w.now);
      what = "unlock " + id;
      if (r instanceof LockspaceNode.Result.Accepted) {
        w.unlocking.get(n).add(id);
      }
    } else {
      r = node.cancel(id, w.now);
      what = "cancel " + id;
    }
    if (r instanceof LockspaceNode.Result.Accepted a) {
      if (!what.startsWith("cancel")) {
        w.outstanding.get(n).merge(id, 1, Integer::sum);
      }
      w.trace.add(n + " " + what);
      apply(w, n, a.effects());
    }
  }

  private static void apply(World w, NodeId n, List<NodeEffect> effects) {
    for (NodeEffect e : effects) {
      if (e instanceof NodeEffect.Send s) {
        if (!w.dead.contains(s.to()) && !w.dead.contains(n)) {
          w.wires.computeIfAbsent(n + ">" + s.to(), k -> new ArrayDeque<>()).add(s.message());
        }
      } else if (e instanceof NodeEffect.Completed c) {
        w.trace.add(n + " completed " + c.lock() + " " + c.status() + " " + c.mode());
        Map<LockId, Integer> out = w.outstanding.get(n);
        if (c.status() == DlmStatus.EUNLOCK) {
          out.remove(c.lock());
        } else {
          Integer left = out.get(c.lock());
          if (left == null || left == 0) {
            throw new AssertionError(n + ": completion without an outstanding operation: " + c);
          }
          out.put(c.lock(), left - 1);
        }
        w.middle.get(n).remove(c.lock());
        if (c.mode() == null) {
          w.heldModes.get(n).remove(c.lock());
          w.names.get(n).remove(c.lock());
          w.unlocking.get(n).remove(c.lock());
        } else {
          w.heldModes.get(n).put(c.lock(), c.mode());
        }
      } else if (e instanceof NodeEffect.Failed f) {
        throw new AssertionError(n + ": master refused an accepted operation: " + f);
      }
    }
  }

  /**
   * Held modes (as holders know them) are compatible per resource, counting unremoved crashed
   * nodes. A lock in a PR<->CW conversion may already hold the new mode at its master while its
   * holder still sees the old one (fs/dlm grants and replies; the holder learns on the reply), so
   * it conflicts only with modes that neither PR nor CW admits.
   */
  private static void checkSafety(World w) {
    Map<ResourceName, List<String>> holders = new HashMap<>();
    Map<ResourceName, List<LockMode[]>> modes = new HashMap<>();
    for (NodeId n : w.nodes.keySet()) {
      boolean counts = (!w.dead.contains(n) && !w.nodes.get(n).isRemoved()) || w.unremovedAt.containsKey(n);
      if (!counts) {
        continue;
      }
      for (Map.Entry<LockId, LockMode> e : w.heldModes.get(n).entrySet()) {
        if (w.unlocking.get(n).contains(e.getKey())) {
          continue; // the holder gave it up when it called unlock
        }
        ResourceName res = w.names.get(n).get(e.getKey());
        LockMode target = w.middle.get(n).get(e.getKey());
        LockMode[] mine = target == null ? new LockMode[] {e.getValue()} : new LockMode[] {e.getValue(), target};
        List<LockMode[]> ms = modes.computeIfAbsent(res, k -> new ArrayList<>());
        for (LockMode[] other : ms) {
          if (conflict(other, mine)) {
            throw new AssertionError("incompatible holders on " + res + ": " + holders.get(res) + " and " + n + "/" + e.getKey() + "=" + e.getValue());
          }
        }
        ms.add(mine);
        holders.computeIfAbsent(res, k -> new ArrayList<>()).add(n + "/" + e.getKey() + "=" + e.getValue());
      }
    }
    for (NodeId n : live(w)) {
      w.nodes.get(n).checkInvariants();
    }
  }

  /** Each side holds one of its modes (two during a middle conversion): conflict if every pairing conflicts. */
  private static boolean conflict(LockMode[] a, LockMode[] b) {
    for (LockMode x : a) {
      for (LockMode y : b) {
        if (x.compatibleWith(y)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean quiet(World w) {
    for (Deque<DlmMessage> q : w.wires.values()) {
      if (!q.isEmpty()) {
        return false;
      }
    }
    for (NodeId n : live(w)) {
      if (!w.pendingViews.get(n).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Once faults stop and the network drains, every member runs and every operation either
   * completed or waits on the queue of a live master (blocked by a live holder), never on a lost
   * message.
   */
  private static void checkLiveness(World w) {
    for (NodeId n : live(w)) {
      LockspaceNode node = w.nodes.get(n);
      if (!node.isRunning()) {
        throw new AssertionError(n + " is still stopped after the quiet period");
      }
    }
    for (NodeId n : live(w)) {
      for (Map.Entry<LockId, Integer> e : w.outstanding.get(n).entrySet()) {
        if (e.getValue() > 0) {
          io.clustermd.dlm.core.LockStatus st = w.nodes.get(n).statusOf(e.getKey());
          if (st != io.clustermd.dlm.core.LockStatus.WAITING && st != io.clustermd.dlm.core.LockStatus.CONVERT) {
            throw new AssertionError(n + ": lock " + e.getKey() + " has " + e.getValue() + " operation(s) without completion and is " + st);
          }
        }
      }
    }
  }
}
