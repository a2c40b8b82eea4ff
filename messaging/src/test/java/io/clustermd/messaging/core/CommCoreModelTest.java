package io.clustermd.messaging.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.core.ModelCluster.Answer;
import io.clustermd.messaging.core.ModelCluster.ModelNode;
import io.clustermd.messaging.core.ModelCluster.Result;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.Message;
import io.clustermd.messaging.message.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Several communication cores over the real DLM core, deterministically (one seed each): the
 * protocol's flows end to end, with every core's and resource's invariants checked at every step.
 */
class CommCoreModelTest {

  private static final CommOptions OPTIONS = CommOptions.defaults();
  private static final Message REMOVE = new Message.Remove(2);
  private static final Uuid16 DISK = Uuid16.parse("00112233445566778899aabbccddeeff");

  private static ModelCluster joined(long seed, int n) {
    ModelCluster c = new ModelCluster(seed, 8, OPTIONS);
    for (int i = 0; i < n; i++) {
      ModelNode node = c.node(i);
      node.join();
      node.ready();
    }
    c.runToQuiescence(10_000);
    for (ModelNode node : c.nodes.values()) {
      assertEquals(CommCore.State.READY, node.core.state(), node.core.describe());
    }
    return c;
  }

  private static Result result(ModelNode n, long ticket) {
    Result r = n.results.get(ticket);
    assertNotNull(r, n.slot + ": ticket #" + ticket + " did not complete");
    return r;
  }

  @Test
  @DisplayName("join: locks created at NL, ack CR taken under token EX; steady state token NL, message NL, ack CR, no-new-dev CR")
  void joinSteadyState() {
    ModelCluster c = joined(1, 3);
    for (ModelNode n : c.nodes.values()) {
      assertEquals(
          Map.of(
              CommLock.TOKEN, LockMode.NL,
              CommLock.MESSAGE, LockMode.NL,
              CommLock.ACK, LockMode.CR,
              CommLock.NO_NEW_DEV, LockMode.CR,
              CommLock.RECEIPT, LockMode.PW),
          n.core.modes());
      assertTrue(n.core.isIdle());
    }
  }

  @Test
  @DisplayName("a broadcast reaches every other node once; the sender returns only after all processed; no self-processing")
  void broadcast() {
    ModelCluster c = joined(2, 4);
    ModelNode sender = c.node(0);
    long t = sender.send(REMOVE);
    sender.onResult = r -> {
      for (int i = 1; i < 4; i++) {
        assertEquals(1, c.node(i).processed.size(), "slot" + i + " had not processed when the sender returned");
      }
    };
    c.runToQuiescence(10_000);
    assertEquals(new Outcome.Sent(1), result(sender, t).outcome());
    assertTrue(sender.processed.isEmpty());
    for (int i = 1; i < 4; i++) {
      assertEquals(List.of(new Envelope(1, MdSlot.of(0), REMOVE)), c.node(i).processed);
    }
  }

  @Test
  @DisplayName("a failing handler: the sender's wait ends after lockMillisMax with an error naming the message and the node; later sends reach it again")
  void failingHandler() {
    ModelCluster c = joined(3, 3);
    ModelNode sender = c.node(0);
    ModelNode failing = c.node(2);
    failing.handler = e -> e.seq() == 1 ? new Answer.Fail("superblock unreadable") : new Answer.Now();
    long t0 = c.now;
    long first = sender.send(REMOVE);
    c.runToQuiescence(10_000);
    Result r = result(sender, first);
    assertNull(r.outcome());
    assertEquals(CommFailure.Kind.NOT_ACKNOWLEDGED, r.failure().kind());
    assertEquals(List.of(MdSlot.of(2)), r.failure().notAcked());
    assertEquals(
        "REMOVE #1 from slot0 was not acknowledged within 30000 ms by slot2 (processed nothing yet)",
        r.failure().description());
    assertTrue(r.at() - t0 >= 30_000 && r.at() - t0 < 31_000, "failed at +" + (r.at() - t0));
    assertEquals(1, c.node(1).processed.size());

    long second = c.node(1).send(new Message.ReAdd(2));
    c.runToQuiescence(10_000);
    assertEquals(new Outcome.Sent(2), result(c.node(1), second).outcome());
    assertEquals(List.of(2L), failing.processed.stream().map(Envelope::seq).toList());
    assertEquals(List.of(2L), sender.processed.stream().map(Envelope::seq).toList());
  }

  @Test
  @DisplayName("a handler that never finishes: not acked after processMillisMax; the sender names it")
  void stuckHandler() {
    ModelCluster c = joined(4, 2);
    c.node(1).handler = e -> new Answer.Never();
    long t = c.node(0).send(new Message.ChangeCapacity());
    c.runToQuiescence(10_000);
    Result r = result(c.node(0), t);
    assertEquals(List.of(MdSlot.of(1)), r.failure().notAcked());
    assertTrue(c.node(1).notes.stream().anyMatch(n -> n.detail().contains("did not finish CHANGE_CAPACITY #1")));
  }

  @Test
  @DisplayName("messages that arrive before the node is ready are held, processed once ready; the sender waits")
  void heldUntilReady() {
    ModelCluster c = joined(5, 2);
    ModelNode late = c.node(2);
    late.join();
    c.runToQuiescence(10_000);
    assertEquals(CommCore.State.JOINED, late.core.state());
    long t = c.node(0).send(REMOVE);
    List<Long> processedAt = new ArrayList<>();
    late.onProcess = e -> processedAt.add(c.now);
    c.at(5_000, late::ready);
    c.runToQuiescence(10_000);
    Result r = result(c.node(0), t);
    assertEquals(new Outcome.Sent(1), r.outcome());
    assertEquals(List.of(5_000L), processedAt);
    assertTrue(r.at() >= 5_000);
    assertEquals(1, late.processed.size());
  }

  @Test
  @DisplayName("a node joined but never ready is named as holding messages")
  void neverReadyNamed() {
    ModelCluster c = joined(6, 2);
    c.node(2).join();
    c.runToQuiescence(10_000);
    long t = c.node(0).send(REMOVE);
    c.runToQuiescence(10_000);
    assertEquals(
        "REMOVE #1 from slot0 was not acknowledged within 30000 ms by slot2 (joined, not ready: holds messages)",
        result(c.node(0), t).failure().description());
  }

  @Test
  @DisplayName("multi-step: token held across NEWDISK, the no-new-dev claim and METADATA_UPDATED; no other send in between")
  void addDiskUnderHeldToken() {
    ModelCluster c = joined(7, 3);
    ModelNode a = c.node(0);
    for (int i = 1; i < 3; i++) {
      ModelNode r = c.node(i);
      r.onProcess = e -> {
        if (e.message().type() == MessageType.NEWDISK) {
          c.at(c.now + 100, () -> r.request(t -> new CommInput.NewDiskAnswer(t, true)));
        }
      };
    }
    long hold = a.request(CommInput.LockToken::new);
    c.runToQuiescence(10_000);
    assertEquals(new Outcome.Held(hold), result(a, hold).outcome());
    long other = c.node(1).send(new Message.ChangeCapacity());
    long nd = a.request(t -> new CommInput.SendHeld(t, hold, new Message.NewDisk(DISK, 3)));
    long claim = a.request(t -> new CommInput.ClaimNoNewDev(t, hold));
    long md = a.request(t -> new CommInput.SendHeld(t, hold, new Message.MetadataUpdated(3)));
    long unlock = a.request(t -> new CommInput.UnlockToken(t, hold));
    c.runToQuiescence(20_000);
    assertEquals(new Outcome.Sent(1), result(a, nd).outcome());
    assertEquals(new Outcome.Claimed(true), result(a, claim).outcome());
    assertEquals(new Outcome.Sent(2), result(a, md).outcome());
    assertEquals(new Outcome.Done(), result(a, unlock).outcome());
    assertEquals(new Outcome.Sent(3), result(c.node(1), other).outcome());
    assertEquals(
        List.of(MessageType.NEWDISK, MessageType.METADATA_UPDATED, MessageType.CHANGE_CAPACITY),
        c.node(2).processed.stream().map(e -> e.message().type()).toList());
    // METADATA_UPDATED made the receivers re-take no-new-dev CR.
    for (ModelNode n : c.nodes.values()) {
      assertEquals(LockMode.CR, n.core.modes().get(CommLock.NO_NEW_DEV), n.core.describe());
    }
  }

  @Test
  @DisplayName("NEWDISK: a node that does not confirm within 5 s acks anyway and keeps no-new-dev CR, so the claim is refused")
  void newDiskNotConfirmed() {
    ModelCluster c = joined(8, 3);
    ModelNode a = c.node(0);
    c.node(1).onProcess = e -> c.at(c.now + 10, () -> c.node(1).request(t -> new CommInput.NewDiskAnswer(t, true)));
    long hold = a.request(CommInput.LockToken::new);
    long nd = a.request(t -> new CommInput.SendHeld(t, hold, new Message.NewDisk(DISK, 3)));
    long claim = a.request(t -> new CommInput.ClaimNoNewDev(t, hold));
    long unlock = a.request(t -> new CommInput.UnlockToken(t, hold));
    long t0 = c.now;
    c.runToQuiescence(10_000);
    Result sent = result(a, nd);
    assertEquals(new Outcome.Sent(1), sent.outcome());
    assertTrue(sent.at() - t0 >= 5_000 && sent.at() - t0 < 6_000, "sent at +" + (sent.at() - t0));
    assertEquals(new Outcome.Claimed(false), result(a, claim).outcome());
    assertEquals(new Outcome.Done(), result(a, unlock).outcome());
    assertEquals(LockMode.NL, c.node(1).core.modes().get(CommLock.NO_NEW_DEV));
    assertEquals(LockMode.CR, c.node(2).core.modes().get(CommLock.NO_NEW_DEV));
  }

  @Test
  @DisplayName("a confirmation with no NEWDISK waiting is refused as spurious")
  void spuriousConfirmation() {
    ModelCluster c = joined(9, 2);
    long t = c.node(1).request(x -> new CommInput.NewDiskAnswer(x, true));
    c.runToQuiescence(1_000);
    assertTrue(result(c.node(1), t).failure().description().startsWith("spurious cluster confirmation"));
  }

  @Test
  @DisplayName("two nodes with one slot: the second join fails naming the slot, and leaves nothing behind")
  void slotInUse() {
    ModelCluster c = joined(10, 2);
    ModelCluster.ModelNode twin = c.new ModelNode(MdSlot.of(1));
    c.nodes.put(99, twin);
    long t = twin.join();
    c.runToQuiescence(1_000);
    assertEquals(
        "join failed: receipt0001 is held PW by another node: slot1 is in use",
        result(twin, t).failure().description());
    assertEquals(CommCore.State.NEW, twin.core.state());
    assertTrue(twin.core.modes().isEmpty());
  }

  @Test
  @DisplayName("leave: the node unlocks everything; later sends do not wait for it; leave releases a sender waiting for a node that is not ready")
  void leave() {
    ModelCluster c = joined(11, 3);
    long l = c.node(2).leave();
    c.runToQuiescence(1_000);
    assertEquals(new Outcome.Done(), result(c.node(2), l).outcome());
    assertEquals(CommCore.State.LEFT, c.node(2).core.state());
    long s = c.node(0).send(REMOVE);
    c.runToQuiescence(1_000);
    assertEquals(new Outcome.Sent(1), result(c.node(0), s).outcome());
    assertTrue(c.node(2).processed.isEmpty());

    ModelNode late = c.node(3);
    late.join();
    c.runToQuiescence(1_000);
    long waiting = c.node(0).send(REMOVE);
    c.at(c.now + 1_000, late::leave);
    c.runToQuiescence(1_000);
    Result r = result(c.node(0), waiting);
    assertEquals(new Outcome.Sent(2), r.outcome());
    assertFalse(late.processed.stream().anyMatch(e -> e.seq() == 2));
  }

  @Test
  @DisplayName("local senders queue behind each other; one waiting longer than localWaitMillisMax fails naming the owner")
  void localQueueBounded() {
    ModelCluster c = new ModelCluster(12, 2, OPTIONS.withLocalWaitMillisMax(1_000));
    c.node(0).join();
    c.node(0).ready();
    c.node(1).join();
    c.node(1).ready();
    c.runToQuiescence(1_000);
    c.node(1).handler = e -> new Answer.After(2_000);
    long first = c.node(0).send(REMOVE);
    long second = c.node(0).send(new Message.ChangeCapacity());
    c.runToQuiescence(1_000);
    assertEquals(new Outcome.Sent(1), result(c.node(0), first).outcome());
    Result r = result(c.node(0), second);
    assertEquals(CommFailure.Kind.LOCAL_WAIT_EXPIRED, r.failure().kind());
    assertTrue(r.failure().description().contains("owner: REMOVE send #"), r.failure().description());
  }
}
