package io.clustermd.messaging.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.messaging.core.ModelCluster.Answer;
import io.clustermd.messaging.core.ModelCluster.ModelNode;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.LongRange;

/**
 * Seeded random runs of 2 to 6 nodes over the real DLM core: concurrent senders on every node,
 * nodes joining (and becoming ready late) during traffic, slow handlers. jqwik reports the failing
 * seed; {@link BroadcastReplayTest} replays it ({@code -Dclustermd.messaging.seed=<n>}).
 */
class BroadcastProperties {

  private static final Message[] MESSAGES = {
    new Message.MetadataUpdated(1),
    new Message.Resyncing(0, 65536),
    new Message.Remove(3),
    new Message.ReAdd(3),
    new Message.BitmapNeedsSync(),
    new Message.ChangeCapacity(),
    new Message.BitmapResize(1 << 20),
    new Message.ResyncingStart(),
  };

  /**
   * Seed 321022 once failed: a node joined between the sender's ack grant and its token release and
   * the old check held the sender to it. A send's obligation is fixed when it is requested (commit
   * 2768f56); kept as a regression example.
   */
  @net.jqwik.api.Example
  void knownFailureSeed321022() {
    totalOrderExactlyOnceSenderAfterAll(321022);
  }

  // A fixed generator seed keeps the default run deterministic (the seeds it draws all pass).
  private static boolean isJoined(ModelNode n) {
    CommCore.State st = n.core.state();
    return st == CommCore.State.JOINED || st == CommCore.State.READYING || st == CommCore.State.READY;
  }

  @Property(tries = 100, shrinking = ShrinkingMode.OFF, seed = "20261122")
  void totalOrderExactlyOnceSenderAfterAll(@ForAll @LongRange(min = 1, max = 1_000_000_000L) long seed) {
    Random rnd = new Random(seed);
    int n = 2 + rnd.nextInt(5);
    ModelCluster c = new ModelCluster(seed, n, CommOptions.defaults());
    Map<Long, int[]> sends = new HashMap<>(); // ticket -> {slot}
    Map<Long, List<ModelNode>> obligations = new HashMap<>();
    List<String> violations = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ModelNode node = c.node(i);
      long joinAt = i < 2 ? 0 : rnd.nextInt(400);
      long readyAfter = rnd.nextInt(3) == 0 ? rnd.nextInt(300) : 0;
      c.at(joinAt, node::join);
      c.at(joinAt + readyAfter, node::ready);
      int delayKind = rnd.nextInt(3);
      node.handler = e -> delayKind == 0 ? new Answer.Now() : new Answer.After(1 + rnd.nextInt(40));
      int k = rnd.nextInt(5);
      long[] sendDelays = new long[k];
      Message[] toSend = new Message[k];
      for (int j = 0; j < k; j++) {
        sendDelays[j] = rnd.nextInt(600);
        toSend[j] = MESSAGES[rnd.nextInt(MESSAGES.length)];
      }
      node.onResult = r -> {
        if (r.outcome() instanceof Outcome.Done && !node.sendsScheduled) {
          // Joined (the first Done): sends before that are refused by design.
          node.sendsScheduled = true;
          for (int j = 0; j < k; j++) {
            Message m = toSend[j];
            c.at(c.now + sendDelays[j], () -> {
              // Every node joined when the send is requested stays joined for the whole send: it
              // must have processed the message when the sender returns.
              List<ModelNode> obliged = new ArrayList<>();
              for (ModelNode other : c.nodes.values()) {
                if (other != node && isJoined(other)) {
                  obliged.add(other);
                }
              }
              long ticket = node.send(m);
              sends.put(ticket, new int[] {node.slot.value()});
              obligations.put(ticket, obliged);
            });
          }
        }
        if (r.outcome() instanceof Outcome.Sent s) {
          // The sender returns only after every node joined for the whole send processed it.
          for (ModelNode other : obligations.getOrDefault(r.ticket(), List.of())) {
            if (other.processed.stream().noneMatch(e -> e.seq() == s.seq())) {
              violations.add("seed " + seed + ": " + node.slot + " returned from #" + s.seq() + " before " + other.slot + " processed it");
              if (Boolean.getBoolean("clustermd.messaging.debug")) {
                System.out.println("t=" + c.now + "\n" + c.describe());
                System.out.println(other.slot + " notes: " + other.notes + " processed " + other.processed);
              }
            }
          }
        }
      };
    }
    c.runToQuiescence(200_000);
    assertTrue(violations.isEmpty(), String.join("\n", violations));

    Map<Long, Envelope> bySeq = new HashMap<>();
    for (ModelNode node : c.nodes.values()) {
      long last = 0;
      for (Envelope e : node.processed) {
        assertTrue(e.seq() > last, "seed " + seed + ": " + node.slot + " processed #" + e.seq() + " after #" + last);
        last = e.seq();
        assertTrue(!e.sender().equals(node.slot), "seed " + seed + ": " + node.slot + " processed its own " + e.describe());
        Envelope prev = bySeq.putIfAbsent(e.seq(), e);
        assertTrue(prev == null || prev.equals(e), "seed " + seed + ": #" + e.seq() + " is " + prev + " and " + e);
      }
      assertTrue(node.core.isIdle(), "seed " + seed + ": not idle: " + node.core.describe());
      assertEquals(CommCore.State.READY, node.core.state(), "seed " + seed);
    }
    // Every send succeeded (no faults here) and was processed by every node joined at that time.
    for (Map.Entry<Long, int[]> s : sends.entrySet()) {
      ModelNode sender = c.node(s.getValue()[0]);
      ModelCluster.Result r = sender.results.get(s.getKey());
      assertNotNull(r, "seed " + seed + ": send #" + s.getKey() + " of " + sender.slot + " never completed");
      assertTrue(r.outcome() instanceof Outcome.Sent, "seed " + seed + ": " + r.failure());
      long seq = ((Outcome.Sent) r.outcome()).seq();
      assertEquals(MdSlot.of(s.getValue()[0]), bySeq.getOrDefault(seq, new Envelope(seq, sender.slot, MESSAGES[0])).sender());
    }
    // The seqs of successful sends are exactly 1..count: one total order without gaps.
    long count = sends.size();
    for (long q = 1; q <= count; q++) {
      assertTrue(bySeq.containsKey(q) || n == 1, "seed " + seed + ": nobody processed #" + q);
    }
  }
}
