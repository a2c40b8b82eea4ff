package io.clustermd.messaging.core;

import static io.clustermd.dlm.core.LockMode.CR;
import static io.clustermd.dlm.core.LockMode.CW;
import static io.clustermd.dlm.core.LockMode.EX;
import static io.clustermd.dlm.core.LockMode.NL;
import static io.clustermd.dlm.core.LockMode.PR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.Effect;
import io.clustermd.dlm.core.Lock;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.LockResource;
import io.clustermd.dlm.core.ResourceName;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The three-node deadlock of the original design (kernel commit 66099bb0ee, 2015, "md-cluster: fix
 * deadlock issue on message lock"), replayed step by step against the real DLM core
 * ({@link LockResource}, fs/dlm's grant, conversion-deadlock and bast rules), and the same schedule
 * with the shipped CW/PR sequence.
 *
 * <p>The 2015 sequences (md-cluster.c as of v4.2): the sender takes token EX and message EX, writes
 * the LVB, down-converts message to <b>CR</b>, converts ack CR→EX, then ack →CR, message →NL, token
 * →NL. A receiver, on ack's blocking callback, takes message CR, reads, drops ack to NL, converts
 * message CR→<b>EX</b> (its barrier: wait until the sender released message), re-takes ack CR and
 * drops message to NL. Every return value on the receive side was ignored.
 *
 * <p>The schedule (the commit's table): node S sends; at each step the DLM delivers the next
 * callback of the first node in the order S, R1, R2 that has one, so each node runs as far as it
 * can before the next:
 *
 * <pre>
 *  S  token EX, message EX, writes, message EX→CR, requests ack CR→EX (queued; basts R1, R2)
 *  R1 message CR, reads, ack →NL, requests message CR→EX (queued behind S's CR and R2's CR)
 *  R2 message CR, reads, ack →NL (S's ack EX is granted), requests message CR→EX
 * </pre>
 *
 * R1 and R2 now each hold CR on message and want EX: each waits for the other — a conversion
 * deadlock. fs/dlm detects it when R2 asks and refuses R2's conversion with EDEADLK; the 2015
 * receiver ignored the error and went on without its barrier. Had the DLM queued the conversion
 * (it does when asked with NODLCKWT, and it only logs "can_be_granted deadlock" when such a cycle
 * appears while re-granting), R1 and R2 wait for each other forever, neither re-takes ack CR, and
 * every later broadcast blocks on message EX: all three nodes are wedged.
 *
 * <p>The shipped sequence (mdcluster.md §3.3–§3.4) uses message CW for the sender and PR for the
 * receivers' barrier: CR and PR are compatible, so R1's and R2's PR requests wait only for the
 * sender's CW, and are granted together once it drops message to NL. The scripted sequences below
 * are checked against the send and receive machines' step tables, so the test replays exactly what
 * {@link SendMachine} and {@link ReceiveMachine} do.
 */
class ThreeNodeDeadlockTest {

  private record Op(CommLock lock, LockMode mode) {}

  private static final List<Op> SEND_2015 =
      List.of(op(CommLock.TOKEN, EX), op(CommLock.MESSAGE, EX), op(CommLock.MESSAGE, CR), op(CommLock.ACK, EX),
          op(CommLock.ACK, CR), op(CommLock.MESSAGE, NL), op(CommLock.TOKEN, NL));
  private static final List<Op> RECEIVE_2015 =
      List.of(op(CommLock.MESSAGE, CR), op(CommLock.ACK, NL), op(CommLock.MESSAGE, EX), op(CommLock.ACK, CR),
          op(CommLock.MESSAGE, NL));

  private static final List<Op> SEND_SHIPPED =
      List.of(op(CommLock.TOKEN, EX), op(CommLock.MESSAGE, EX), op(CommLock.MESSAGE, CW), op(CommLock.ACK, EX),
          op(CommLock.ACK, CR), op(CommLock.MESSAGE, NL), op(CommLock.TOKEN, NL));
  private static final List<Op> RECEIVE_SHIPPED =
      List.of(op(CommLock.MESSAGE, CR), op(CommLock.ACK, NL), op(CommLock.MESSAGE, PR), op(CommLock.ACK, CR),
          op(CommLock.MESSAGE, NL));

  private static Op op(CommLock lock, LockMode mode) {
    return new Op(lock, mode);
  }

  /** One node running a scripted sequence: each step is issued when the previous one completed. */
  private static final class Node {
    final String name;
    final EnumMap<CommLock, DlmWorld.Handle> locks = new EnumMap<>(CommLock.class);
    final List<String> trace = new ArrayList<>();
    final List<DlmStatus> statuses = new ArrayList<>();
    List<Op> program;
    int pc = -1;
    LockFlags extra = LockFlags.NONE;

    Node(String name) {
      this.name = name;
    }

    boolean running() {
      return program != null && pc < program.size();
    }

    boolean finished() {
      return program != null && pc >= program.size();
    }
  }

  private final DlmWorld world = new DlmWorld();
  private final Node s = new Node("S");
  private final Node r1 = new Node("R1");
  private final Node r2 = new Node("R2");
  private final List<Node> order = List.of(s, r1, r2);

  private void setUp(List<Op> receive, LockFlags receiverFlags) {
    for (Node n : order) {
      for (CommLock l : List.of(CommLock.TOKEN, CommLock.MESSAGE, CommLock.ACK)) {
        n.locks.put(
            l,
            world.request(
                n.name + "/" + l,
                l.resource(io.clustermd.bitmap.format.MdSlot.of(0)),
                NL,
                LockFlags.of(LockFlag.EXPEDITE),
                l.hasLvb(),
                l == CommLock.ACK,
                listener(n, l, receive)));
      }
    }
    drain();
    for (Node n : order) {
      world.convert(n.locks.get(CommLock.ACK), CR, LockFlags.NONE); // steady state: ack CR everywhere
    }
    drain();
    r1.extra = receiverFlags;
    r2.extra = receiverFlags;
    for (Node n : order) {
      n.trace.clear();
    }
  }

  private DlmWorld.Listener listener(Node n, CommLock lock, List<Op> receive) {
    return new DlmWorld.Listener() {
      @Override
      public void completed(DlmWorld.Handle h, Effect.Completion c) {
        if (!n.running()) {
          return;
        }
        n.trace.add(lock + "→" + c.mode() + (c.status() == DlmStatus.OK ? "" : " " + c.status()));
        n.statuses.add(c.status());
        next(n); // the 2015 receiver ignored every status; so does this script
      }

      @Override
      public void blocked(DlmWorld.Handle h, LockMode mode) {
        // ack_bast: only a request for EX wakes the receiver.
        if (lock == CommLock.ACK && mode == EX && n != s && n.program == null) {
          n.trace.add("bast");
          n.program = receive;
          n.pc = -1;
          next(n);
        }
      }
    };
  }

  private void next(Node n) {
    n.pc++;
    if (n.pc >= n.program.size()) {
      n.trace.add("done");
      return;
    }
    Op o = n.program.get(n.pc);
    LockFlags flags = o.lock() == CommLock.MESSAGE ? LockFlags.of(LockFlag.VALBLK) : LockFlags.NONE;
    if (n != s && o.lock() == CommLock.MESSAGE && o.mode().value() > CR.value()) {
      for (LockFlag f : LockFlag.values()) {
        if (n.extra.has(f)) {
          flags = flags.with(f);
        }
      }
    }
    world.convert(n.locks.get(o.lock()), o.mode(), flags);
  }

  private void drain() {
    while (!world.deliverable().isEmpty()) {
      world.deliver(world.deliverable().get(0));
    }
  }

  /** Delivers, one at a time, the next callback of the first node in S, R1, R2 that has one. */
  private void runSchedule() {
    int guard = 0;
    while (!world.deliverable().isEmpty()) {
      if (++guard > 10_000) {
        throw new AssertionError("no end to the schedule");
      }
      DlmWorld.Handle pick = null;
      for (Node n : order) {
        for (DlmWorld.Handle h : world.deliverable()) {
          if (h.label.startsWith(n.name + "/")) {
            pick = h;
            break;
          }
        }
        if (pick != null) {
          break;
        }
      }
      world.deliver(pick);
      world.checkInvariants();
    }
  }

  private void send(List<Op> program) {
    s.program = program;
    s.pc = -1;
    next(s);
    runSchedule();
  }

  private LockResource message() {
    return world.resource(ResourceName.of("message"));
  }

  @Test
  @DisplayName("the scripted shipped sequences are exactly the send and receive machines' tables")
  void scriptsMatchMachines() {
    List<Op> send = new ArrayList<>();
    send.add(op(CommLock.TOKEN, EX));
    for (SendMachine.Step st : SendMachine.Step.values()) {
      if (st.lock != null) {
        send.add(op(st.lock, st.mode));
      }
    }
    send.add(op(CommLock.TOKEN, NL));
    assertEquals(SEND_SHIPPED, send);
    List<Op> receive = new ArrayList<>();
    for (ReceiveMachine.Step st : ReceiveMachine.Step.values()) {
      if (st.lock == CommLock.MESSAGE || st.lock == CommLock.ACK) {
        receive.add(op(st.lock, st.mode));
      }
    }
    assertEquals(RECEIVE_SHIPPED, receive);
  }

  @Test
  @DisplayName("2015 design, fs/dlm defaults: the receivers' CR→EX on message deadlock; the DLM refuses R2's with EDEADLK and R2 skips its barrier")
  void original2015DetectedByDlm() {
    setUp(RECEIVE_2015, LockFlags.NONE);
    send(SEND_2015);
    assertEquals(List.of("bast", "MESSAGE→CR", "ACK→NL", "MESSAGE→EX", "ACK→CR", "MESSAGE→NL", "done"), r1.trace);
    assertEquals(
        List.of("bast", "MESSAGE→CR", "ACK→NL", "MESSAGE→CR EDEADLK", "ACK→CR", "MESSAGE→NL", "done"), r2.trace);
    assertTrue(s.finished());
  }

  @Test
  @DisplayName("2015 design, conversion deadlock left queued: R1 and R2 wait for each other on message forever and the next broadcast wedges all three")
  void original2015Wedges() {
    setUp(RECEIVE_2015, LockFlags.of(LockFlag.NODLCKWT));
    send(SEND_2015);
    // Nothing is left to deliver, yet both receivers are stuck in their barrier.
    assertTrue(world.deliverable().isEmpty());
    assertEquals(List.of("bast", "MESSAGE→CR", "ACK→NL"), r1.trace);
    assertEquals(List.of("bast", "MESSAGE→CR", "ACK→NL"), r2.trace);
    assertTrue(s.finished(), "the sender got its ack: both receivers had dropped ack to NL");
    List<Lock> converting = message().convertQueue();
    assertEquals(2, converting.size(), message().toString());
    for (Lock l : converting) {
      assertEquals(CR, l.grantedMode());
      assertEquals(EX, l.requestedMode());
    }
    // Neither re-took ack CR; the next broadcast cannot even get message EX.
    Node sender = s;
    sender.trace.clear();
    send(SEND_2015);
    assertEquals(List.of("TOKEN→EX"), sender.trace);
    assertFalse(sender.finished());
    assertTrue(world.deliverable().isEmpty(), "no callback will ever come: deadlock");
    assertEquals(3, message().convertQueue().size());
  }

  @Test
  @DisplayName("shipped CW/PR, same schedule (and the same NODLCKWT): both barriers granted together, steady state again, the next broadcast goes through")
  void shippedDoesNotDeadlock() {
    setUp(RECEIVE_SHIPPED, LockFlags.of(LockFlag.NODLCKWT));
    send(SEND_SHIPPED);
    for (Node r : List.of(r1, r2)) {
      assertEquals(List.of("bast", "MESSAGE→CR", "ACK→NL", "MESSAGE→PR", "ACK→CR", "MESSAGE→NL", "done"), r.trace);
      assertTrue(r.statuses.stream().allMatch(st -> st == DlmStatus.OK), r.name + " " + r.trace);
    }
    assertTrue(s.finished());
    assertTrue(message().convertQueue().isEmpty());
    for (Node n : order) {
      assertEquals(NL, world.resource(ResourceName.of("message")).lock(n.locks.get(CommLock.MESSAGE).id).grantedMode());
    }

    r1.program = null;
    r2.program = null;
    send(SEND_SHIPPED);
    assertTrue(s.finished());
    assertTrue(r1.finished() && r2.finished());
  }

  @Test
  @DisplayName("shipped CW/PR, fs/dlm defaults: no EDEADLK anywhere on the same schedule")
  void shippedDefaults() {
    setUp(RECEIVE_SHIPPED, LockFlags.NONE);
    send(SEND_SHIPPED);
    for (Node r : List.of(r1, r2)) {
      assertTrue(r.finished());
      assertTrue(r.statuses.stream().allMatch(st -> st == DlmStatus.OK), r.name + " " + r.trace);
    }
  }
}
