package io.clustermd.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.dlm.local.LocalLockspace;
import io.clustermd.messaging.core.CommCore;
import io.clustermd.messaging.core.CommFailure;
import io.clustermd.messaging.core.CommOptions;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.Message;
import io.clustermd.messaging.message.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Several nodes' communicators over one {@link LocalLockspace} (each node with its own token,
 * message, ack, no-new-dev and receipt locks, as on separate hosts), with real threads: the DLM's
 * callback threads, each communicator's mailbox and handler thread.
 */
class CommunicatorTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int SLOTS = 8;

  private final LocalLockspace lockspace =
      LocalLockspace.create("5b3a9d2e-0c41-4f7e-9a31-6f2d8e7c1b05", 64, LocalLockspace.Options.defaults().withInvariantChecks());
  private final List<Node> nodes = new ArrayList<>();

  /** A node: its communicator and every message its handler processed, in order. */
  private final class Node {
    final MdSlot slot;
    final Communicator comm;
    final List<Envelope> processed = Collections.synchronizedList(new ArrayList<>());
    volatile Function<Envelope, CompletionStage<Void>> behaviour = e -> CompletableFuture.completedFuture(null);

    Node(int slot, CommOptions options) {
      this.slot = MdSlot.of(slot);
      this.comm =
          new Communicator(
              lockspace,
              this.slot,
              SLOTS,
              e -> behaviour.apply(e).thenRun(() -> processed.add(e)),
              Communicator.Options.defaults().withComm(options).withInvariantChecks());
    }

    List<Long> seqs() {
      synchronized (processed) {
        return processed.stream().map(Envelope::seq).toList();
      }
    }
  }

  private Node start(int slot, CommOptions options) throws Exception {
    Node n = new Node(slot, options);
    nodes.add(n);
    get(n.comm.join());
    get(n.comm.ready());
    return n;
  }

  private Node start(int slot) throws Exception {
    return start(slot, CommOptions.defaults());
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    nodes.forEach(n -> n.comm.close());
    lockspace.close();
  }

  @Test
  @DisplayName("a broadcast reaches every other node exactly once; the sender returns only after all processed")
  void broadcast() throws Exception {
    for (int i = 0; i < 4; i++) {
      start(i);
    }
    List<String> early = Collections.synchronizedList(new ArrayList<>());
    long seq =
        get(nodes.get(0).comm.send(new Message.Remove(3)).whenComplete((s, ex) -> {
          for (Node n : nodes.subList(1, 4)) {
            if (!n.seqs().contains(s)) {
              early.add(n.slot + " had not processed #" + s);
            }
          }
        }));
    assertEquals(1, seq);
    assertTrue(early.isEmpty(), early.toString());
    assertEquals(List.of(), nodes.get(0).seqs());
    for (Node n : nodes.subList(1, 4)) {
      assertEquals(List.of(new Envelope(1, MdSlot.of(0), new Message.Remove(3))), n.processed);
    }
  }

  @Test
  @DisplayName("a stage chained to a caller's future runs on the communicator's completion thread, never on a DLM or caller thread")
  void callerStagesRunOnTheCompletionThread() throws Exception {
    for (int i = 0; i < 3; i++) {
      start(i);
    }
    Communicator sender = nodes.get(0).comm;
    for (int round = 0; round < 5; round++) {
      String ranOn = get(sender.send(new Message.MetadataUpdated(round)).thenApply(seq -> Thread.currentThread().getName()));
      assertTrue(ranOn.endsWith("-completions"), "round " + round + ": a chained stage ran on " + ranOn);
      // A caller that only waits is woken directly: the same request without a stage completes too.
      assertTrue(get(sender.send(new Message.MetadataUpdated(round))) > 0);
    }
  }

  @Test
  @DisplayName("concurrent senders on every node: one total order, exactly once, nobody processes its own, every sender returns after all processed")
  void concurrentSenders() throws Exception {
    int n = 4;
    int each = 15;
    for (int i = 0; i < n; i++) {
      start(i);
    }
    Map<Long, MdSlot> senderOf = new ConcurrentHashMap<>();
    List<String> early = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Long>> sends = new ArrayList<>();
    for (int k = 0; k < each; k++) {
      for (Node node : nodes) {
        Message m = k % 2 == 0 ? new Message.Resyncing(k * 65536L, (k + 1) * 65536L) : new Message.ChangeCapacity();
        sends.add(node.comm.send(m).toCompletableFuture().whenComplete((s, ex) -> {
          if (s != null) {
            senderOf.put(s, node.slot);
            for (Node other : nodes) {
              if (other != node && !other.seqs().contains(s)) {
                early.add(node.slot + " returned from #" + s + " before " + other.slot + " processed it");
              }
            }
          }
        }));
      }
    }
    CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    assertTrue(early.isEmpty(), String.join("\n", early));
    Set<Long> all = new TreeSet<>(senderOf.keySet());
    assertEquals(n * each, all.size());
    assertEquals(n * each, Collections.max(all));
    for (Node node : nodes) {
      List<Long> seen = node.seqs();
      List<Long> expected = all.stream().filter(s -> !senderOf.get(s).equals(node.slot)).toList();
      assertEquals(expected, seen, node.slot + " processed a different sequence");
      for (Envelope e : node.processed) {
        assertFalse(e.sender().equals(node.slot));
        assertEquals(senderOf.get(e.seq()), e.sender());
      }
    }
  }

  @Test
  @DisplayName("a failing handler: the sender's bounded wait ends with an error naming the message and the node; the next send reaches it")
  void failingHandler() throws Exception {
    CommOptions quick = CommOptions.defaults().withLockMillisMax(1_000);
    Node a = start(0, quick);
    start(1, quick);
    Node c = start(2, quick);
    c.behaviour = e -> e.message() instanceof Message.Remove
        ? CompletableFuture.failedFuture(new IllegalStateException("no member with desc_nr 7"))
        : CompletableFuture.completedFuture(null);
    ExecutionException failed =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> get(a.comm.send(new Message.Remove(7))));
    CommunicationException ce = assertInstanceOf(CommunicationException.class, failed.getCause());
    assertEquals(CommFailure.Kind.NOT_ACKNOWLEDGED, ce.failure().kind());
    assertEquals(MessageType.REMOVE, ce.failure().type());
    assertEquals(List.of(MdSlot.of(2)), ce.failure().notAcked());
    assertEquals("REMOVE #1 from slot0 was not acknowledged within 1000 ms by slot2 (processed nothing yet)", ce.getMessage());
    assertEquals(List.of(1L), nodes.get(1).seqs());

    assertEquals(2, get(a.comm.send(new Message.ReAdd(7))));
    assertEquals(List.of(2L), c.seqs());
  }

  @Test
  @DisplayName("joins during traffic: the joiner takes ack under the token, then processes every later message")
  void joinDuringTraffic() throws Exception {
    Node a = start(0);
    Node b = start(1);
    List<CompletableFuture<Long>> sends = new ArrayList<>();
    for (int k = 0; k < 20; k++) {
      sends.add(a.comm.send(new Message.ChangeCapacity()).toCompletableFuture());
      sends.add(b.comm.send(new Message.ResyncingStart()).toCompletableFuture());
    }
    Node late = new Node(2, CommOptions.defaults());
    nodes.add(late);
    get(late.comm.join());
    get(late.comm.ready());
    CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    long last = get(a.comm.send(new Message.ChangeCapacity()));
    List<Long> seen = late.seqs();
    assertFalse(seen.isEmpty());
    long first = seen.get(0);
    List<Long> expected = new ArrayList<>();
    for (long s = first; s <= last; s++) {
      expected.add(s);
    }
    assertEquals(expected, seen, "the joiner missed or repeated a message after its first");
  }

  @Test
  @DisplayName("a message that arrives before the node is ready is held; the sender waits; processed once ready")
  void heldUntilReady() throws Exception {
    Node a = start(0);
    Node late = new Node(1, CommOptions.defaults());
    nodes.add(late);
    get(late.comm.join());
    assertEquals(CommCore.State.JOINED, late.comm.state());
    CompletableFuture<Long> send = a.comm.send(new Message.BitmapNeedsSync()).toCompletableFuture();
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> !send.isDone() && late.processed.isEmpty());
    get(late.comm.ready());
    assertEquals(1, send.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(List.of(1L), late.seqs());
  }

  @Test
  @DisplayName("a held token: another node's send waits until it is released; add-disk runs NEWDISK, the claim, METADATA_UPDATED in a row")
  void heldToken() throws Exception {
    Node a = start(0);
    Node b = start(1);
    Node c = start(2);
    for (Node r : List.of(b, c)) {
      r.behaviour = e -> {
        if (e.message() instanceof Message.NewDisk) {
          // The udev rule found the disk: confirm, as mdadm --cluster-confirm would, from elsewhere.
          CompletableFuture.runAsync(() -> r.comm.newDiskAck(true));
        }
        return CompletableFuture.completedFuture(null);
      };
    }
    Communicator.HeldToken token = get(a.comm.lockToken());
    CompletableFuture<Long> other = b.comm.send(new Message.ChangeCapacity()).toCompletableFuture();
    assertEquals(1, get(token.send(new Message.NewDisk(Uuid16.parse("0123456789abcdef0123456789abcdef"), 4))));
    assertTrue(get(token.claimNoNewDev()));
    assertEquals(2, get(token.send(new Message.MetadataUpdated(4))));
    assertFalse(other.isDone());
    get(token.unlock());
    assertEquals(3, other.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(
        List.of(MessageType.NEWDISK, MessageType.METADATA_UPDATED, MessageType.CHANGE_CAPACITY),
        c.processed.stream().map(e -> e.message().type()).toList());
  }

  @Test
  @DisplayName("a spurious confirmation is refused; after leave, sends no longer wait for the node")
  void leaveAndSpurious() throws Exception {
    Node a = start(0);
    Node b = start(1);
    ExecutionException spurious =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> get(b.comm.newDiskAck(true)));
    assertTrue(spurious.getCause().getMessage().startsWith("spurious cluster confirmation"));
    get(b.comm.leave());
    assertEquals(CommCore.State.LEFT, b.comm.state());
    assertEquals(1, get(a.comm.send(new Message.ChangeCapacity())));
    assertTrue(b.processed.isEmpty());
  }
}
