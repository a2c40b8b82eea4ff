package io.clustermd.dlm.core.link;

import io.clustermd.dlm.core.link.LinkEffect.Deliver;
import io.clustermd.dlm.core.link.LinkEffect.Dropped;
import io.clustermd.dlm.core.link.LinkEffect.PeerRestarted;
import io.clustermd.dlm.core.link.LinkEffect.PeerUnresponsive;
import io.clustermd.dlm.core.link.LinkEffect.SendRefused;
import io.clustermd.dlm.core.link.LinkEffect.Transmit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * One seeded run of two nodes joined by {@link ReliableLink}s over a tiny model of Artery:
 *
 * <ul>
 *   <li>FIFO per (sender incarnation, receiver incarnation) with random delays (0–5 ms, sometimes
 *       20–100 ms); no order between different incarnation pairs, so frames of a dead incarnation
 *       may arrive after those of its successor;
 *   <li>connection drops: every frame in flight in one or both directions vanishes, and frames
 *       put on the wire during the outage (up to 300 ms) vanish too; the shell may or may not
 *       notice the reconnection ({@code connectionReset});
 *   <li>crashes: a node is down for 20–800 ms (frames to it vanish; its own last frames may
 *       linger up to a second and arrive after its successor's) and comes back as a new
 *       incarnation with a new link; the peer's shell may get a membership hint 0–1.5 s later,
 *       or never (then only frames tell it).
 * </ul>
 *
 * Both nodes send bursts at random. Faults stop at {@link #FAULT_END_MILLIS}, sends at {@link
 * #SEND_END_MILLIS}; then the run drains until no timer is armed and nothing is in flight.
 * Checked on every delivery: a payload is delivered only by the incarnation it was addressed to,
 * only from the peer incarnation the link currently knows (never from a dead one once its restart
 * is known), exactly once and in send order. Checked at the end: every payload sent between the
 * final incarnations was delivered; every payload sent by a final incarnation was delivered or
 * handed back in {@link PeerRestarted}; both links know each other's incarnation and are idle.
 */
final class LinkSimulation {

  static final long FAULT_END_MILLIS = 2_000;
  static final long SEND_END_MILLIS = 2_500;
  static final long DRAIN_LIMIT_MILLIS = SEND_END_MILLIS + 60_000;

  /** The payload: its id, who sent it and to which incarnation the sender addressed it. */
  record Msg(long id, long senderIncarnation, long addressedIncarnation) {}

  private record Pair(long sender, long receiver) {}

  private record InFlight(long arriveAt, long order, int fromNode, Frame<Msg> frame) {}

  private record Scheduled(long at, long order, Runnable action) {}

  private final class Node {
    final int index;
    long incarnation;
    boolean up = true;
    ReliableLink<Msg> link;

    Node(int index, long incarnation) {
      this.index = index;
      this.incarnation = incarnation;
    }

    Node peer() {
      return nodes[1 - index];
    }
  }

  final long seed;
  final LinkOptions options;
  /** How often each rule fired, keyed by a reason enum constant or a string. */
  private final Map<Object, Long> fired = new HashMap<>();

  private final Random random;
  private final Node[] nodes = new Node[2];
  private final PriorityQueue<InFlight> network =
      new PriorityQueue<>(Comparator.comparingLong(InFlight::arriveAt).thenComparingLong(InFlight::order));
  private final PriorityQueue<Scheduled> agenda =
      new PriorityQueue<>(Comparator.comparingLong(Scheduled::at).thenComparingLong(Scheduled::order));
  private final Map<Pair, Long> lastArrival = new HashMap<>();
  private final long[] outageUntil = new long[2];
  private long now;
  private long order;
  private long nextIncarnation = 1;
  private long nextMsgId = 1;

  // The oracle.
  private final Map<Pair, List<Long>> sent = new HashMap<>();
  private final Map<Pair, Integer> deliveredCount = new HashMap<>();
  private final Map<Long, List<Long>> sentBySender = new HashMap<>();
  private final Map<Integer, List<Long>> incarnationsOf = new HashMap<>();
  private final Set<Long> delivered = new HashSet<>();
  private final Set<Long> handedBack = new HashSet<>();

  LinkSimulation(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
    this.options = randomOptions(random);
    for (int i = 0; i < 2; i++) {
      nodes[i] = new Node(i, nextIncarnation++);
      incarnationsOf.computeIfAbsent(i, k -> new ArrayList<>()).add(nodes[i].incarnation);
    }
    for (Node n : nodes) {
      n.link = new ReliableLink<>(n.incarnation, n.peer().incarnation, options);
    }
  }

  private static LinkOptions randomOptions(Random random) {
    long[][] retransmit = {{200, 1_600}, {20, 160}, {50, 400}};
    long[] r = retransmit[random.nextInt(retransmit.length)];
    return new LinkOptions(
        new long[] {0, 5, 20}[random.nextInt(3)],
        new int[] {1, 8, 32}[random.nextInt(3)],
        r[0],
        r[1],
        new long[] {500, 15_000}[random.nextInt(2)],
        new int[] {4, 32, 4_096}[random.nextInt(3)],
        new long[] {300, 10_000}[random.nextInt(2)]);
  }

  /** Runs to quiescence and checks everything; throws AssertionError on the first violation. */
  LinkSimulation run() {
    for (Node n : nodes) {
      at(random.nextInt(40), () -> sendBurst(n));
    }
    at(random.nextInt(200), this::fault);
    while (true) {
      long next = nextEventMillis();
      if (next == Long.MAX_VALUE) {
        break;
      }
      if (next > DRAIN_LIMIT_MILLIS) {
        fail("not quiescent " + DRAIN_LIMIT_MILLIS + " ms after sends stopped: "
            + nodes[0].link + " / " + nodes[1].link);
      }
      now = Math.max(now, next);
      step();
    }
    checkFinal();
    return this;
  }

  private long nextEventMillis() {
    long next = Long.MAX_VALUE;
    if (!network.isEmpty()) {
      next = network.peek().arriveAt();
    }
    if (!agenda.isEmpty()) {
      next = Math.min(next, agenda.peek().at());
    }
    for (Node n : nodes) {
      if (n.up) {
        next = Math.min(next, n.link.nextDeadlineMillis());
      }
    }
    return next;
  }

  private void step() {
    while (!network.isEmpty() && network.peek().arriveAt() <= now) {
      arrive(network.poll());
    }
    while (!agenda.isEmpty() && agenda.peek().at() <= now) {
      agenda.poll().action().run();
    }
    for (Node n : nodes) {
      if (n.up && n.link.nextDeadlineMillis() <= now) {
        apply(n, n.link.tick(now));
      }
    }
  }

  private void at(long when, Runnable action) {
    agenda.add(new Scheduled(when, order++, action));
  }

  // ---- traffic ----------------------------------------------------------------------------------

  private void sendBurst(Node n) {
    if (now >= SEND_END_MILLIS) {
      return;
    }
    if (n.up) {
      int burst = 1 + random.nextInt(3);
      for (int i = 0; i < burst; i++) {
        send(n);
      }
    }
    at(now + random.nextInt(41), () -> sendBurst(n));
  }

  private void send(Node n) {
    Msg m = new Msg(nextMsgId++, n.incarnation, n.link.peerIncarnation());
    List<LinkEffect<Msg>> effects = n.link.send(m, now);
    if (effects.stream().noneMatch(e -> e instanceof SendRefused)) {
      Pair key = new Pair(m.senderIncarnation(), m.addressedIncarnation());
      sent.computeIfAbsent(key, k -> new ArrayList<>()).add(m.id());
      sentBySender.computeIfAbsent(m.senderIncarnation(), k -> new ArrayList<>()).add(m.id());
    }
    apply(n, effects);
  }

  private void transmit(Node from, Frame<Msg> frame) {
    if (now < outageUntil[from.index]) {
      count("net.lostInOutage");
      return;
    }
    long delay = random.nextInt(20) == 0 ? 20 + random.nextInt(81) : random.nextInt(6);
    Pair key = new Pair(frame.senderIncarnation(), frame.receiverIncarnation());
    long arriveAt = Math.max(now + delay, lastArrival.getOrDefault(key, 0L));
    lastArrival.put(key, arriveAt);
    network.add(new InFlight(arriveAt, order++, from.index, frame));
  }

  private void arrive(InFlight f) {
    Node to = nodes[1 - f.fromNode()];
    if (!to.up) {
      count("net.lostToCrashedNode");
      return;
    }
    apply(to, to.link.receive(f.frame(), now));
  }

  // ---- faults -----------------------------------------------------------------------------------

  private void fault() {
    if (now >= FAULT_END_MILLIS) {
      return;
    }
    if (random.nextInt(5) < 3) {
      connectionDrop();
    } else {
      crash(nodes[random.nextInt(2)]);
    }
    at(now + 1 + random.nextInt(300), this::fault);
  }

  /** Everything in flight in the chosen directions vanishes, and so does what is sent meanwhile. */
  private void connectionDrop() {
    int which = random.nextInt(3); // 0: from node 0, 1: from node 1, 2: both
    long until = now + random.nextInt(301);
    for (int dir = 0; dir < 2; dir++) {
      if (which == 2 || which == dir) {
        int d = dir;
        network.removeIf(f -> f.fromNode() == d);
        outageUntil[dir] = Math.max(outageUntil[dir], until);
      }
    }
    count("fault.connectionDrop");
    boolean shellNotices = random.nextBoolean();
    at(until, () -> {
      if (shellNotices) {
        for (Node n : nodes) {
          if (n.up) {
            apply(n, n.link.connectionReset(now));
          }
        }
      }
    });
  }

  private void crash(Node n) {
    long downMillis = 20 + random.nextInt(781);
    if (!n.up || now + downMillis >= FAULT_END_MILLIS) {
      return;
    }
    n.up = false;
    count("fault.crash");
    if (random.nextBoolean()) {
      // The dead incarnation's last frames linger (socket buffers) and may arrive after the
      // restart is known; one common delay keeps them in order.
      long lag = random.nextInt(1_001);
      List<InFlight> lingering = new ArrayList<>();
      network.removeIf(f -> f.fromNode() == n.index && lingering.add(f));
      lingering.forEach(f -> network.add(new InFlight(f.arriveAt() + lag, f.order(), f.fromNode(), f.frame())));
    }
    at(now + downMillis, () -> restart(n));
  }

  private void restart(Node n) {
    n.incarnation = nextIncarnation++;
    incarnationsOf.get(n.index).add(n.incarnation);
    n.link = new ReliableLink<>(n.incarnation, n.peer().incarnation, options);
    n.up = true;
    long incarnation = n.incarnation;
    if (random.nextInt(10) < 7) {
      at(now + random.nextInt(1_501), () -> {
        Node peer = n.peer();
        if (peer.up) {
          apply(peer, peer.link.peerRestarted(incarnation, now));
        }
      });
    }
  }

  // ---- effects and the oracle -------------------------------------------------------------------

  private void apply(Node n, List<LinkEffect<Msg>> effects) {
    n.link.checkInvariants();
    for (LinkEffect<Msg> effect : effects) {
      if (effect instanceof Transmit<Msg> t) {
        count(t.reason());
        transmit(n, t.frame());
      } else if (effect instanceof Deliver<Msg> d) {
        count("deliver");
        onDeliver(n, d);
      } else if (effect instanceof Dropped<Msg> d) {
        count(d.reason());
      } else if (effect instanceof PeerRestarted<Msg> r) {
        count(r.reason());
        check(incarnationsOf.get(n.peer().index).contains(r.newIncarnation()),
            () -> "PeerRestarted names an incarnation the peer never had: " + r);
        r.unacknowledged().forEach(m -> handedBack.add(m.id()));
      } else if (effect instanceof PeerUnresponsive<Msg> u) {
        count(u.reason());
      } else if (effect instanceof SendRefused<Msg> s) {
        count(s.reason());
      }
    }
  }

  private void onDeliver(Node n, Deliver<Msg> d) {
    Msg m = d.payload();
    check(m.addressedIncarnation() == n.incarnation,
        () -> "incarnation " + n.incarnation + " delivered " + m + " addressed to another incarnation");
    check(m.senderIncarnation() == d.peerIncarnation() && m.senderIncarnation() == n.link.peerIncarnation(),
        () -> "delivered " + m + " from incarnation " + m.senderIncarnation()
            + " although the link knows the peer as " + n.link.peerIncarnation());
    Pair key = new Pair(m.senderIncarnation(), m.addressedIncarnation());
    int k = deliveredCount.getOrDefault(key, 0);
    List<Long> expected = sent.getOrDefault(key, List.of());
    check(k < expected.size() && expected.get(k) == m.id(),
        () -> "delivery " + (k + 1) + " of " + key + " is " + m + " but the next sent was "
            + (k < expected.size() ? expected.get(k) : "nothing"));
    check(d.seq() == k + 1, () -> "seq " + d.seq() + " for delivery " + (k + 1) + " of " + key);
    deliveredCount.put(key, k + 1);
    delivered.add(m.id());
  }

  private void checkFinal() {
    for (Node n : nodes) {
      check(n.up, () -> "node " + n.index + " is down at the end");
      check(n.link.isQuiescent(), () -> "link of node " + n.index + " not idle: " + n.link);
      check(n.link.peerIncarnation() == n.peer().incarnation,
          () -> "node " + n.index + " still thinks the peer is " + n.link.peerIncarnation()
              + " but it is " + n.peer().incarnation);
      Pair live = new Pair(n.incarnation, n.peer().incarnation);
      int sentCount = sent.getOrDefault(live, List.of()).size();
      check(deliveredCount.getOrDefault(live, 0) == sentCount,
          () -> "between live incarnations " + live + ": sent " + sentCount + ", delivered "
              + deliveredCount.getOrDefault(live, 0));
      for (long id : sentBySender.getOrDefault(n.incarnation, List.of())) {
        check(delivered.contains(id) || handedBack.contains(id),
            () -> "payload " + id + " of live incarnation " + n.incarnation
                + " was neither delivered nor handed back in PeerRestarted");
      }
    }
  }

  private void count(Object what) {
    fired.merge(what, 1L, Long::sum);
  }

  /** How often each rule fired ("transmit.NEW_DATA", "dropped.GAP", ...), for coverage checks. */
  Map<String, Long> counts() {
    Map<String, Long> counts = new TreeMap<>();
    fired.forEach((what, n) -> counts.put(name(what), n));
    return counts;
  }

  private static String name(Object what) {
    if (what instanceof Transmit.Reason r) {
      return "transmit." + r;
    } else if (what instanceof Dropped.Reason r) {
      return "dropped." + r;
    } else if (what instanceof PeerRestarted.Reason r) {
      return "restarted." + r;
    } else if (what instanceof PeerUnresponsive.Reason r) {
      return "unresponsive." + r;
    } else if (what instanceof SendRefused.Reason r) {
      return "refused." + r;
    }
    return what.toString();
  }

  /** The message is built only on failure: checks run on every delivery of every seed. */
  private void check(boolean condition, Supplier<String> message) {
    if (!condition) {
      fail(message.get());
    }
  }

  private void fail(String message) {
    throw new AssertionError("t=" + now + " options=" + options + ": " + message);
  }
}
