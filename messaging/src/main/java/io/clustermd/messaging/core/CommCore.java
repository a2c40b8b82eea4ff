package io.clustermd.messaging.core;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.message.LvbFormat;
import io.clustermd.messaging.message.Message;
import io.clustermd.messaging.message.Receipt;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * One node's md-cluster communication (mdcluster.md §3, §5.1, §5.4) as a pure state machine: it
 * takes an input and the current time and returns effects. It composes the sequences — join, the
 * send machine, the receive machine, leave — and does what the kernel does with bits and mutexes:
 *
 * <ul>
 *   <li>local senders wait in a bounded FIFO for their turn to own communication (the kernel's
 *       {@code MD_CLUSTER_SEND_LOCK} bit), then take token EX and recv_mutex ({@code lock_comm});
 *   <li>a multi-step operation keeps the token between sends ({@code SEND_LOCKED_ALREADY});
 *   <li>the receiver runs under recv_mutex, so a node never sends and receives at once; while this
 *       node holds the token no other node can be sending, so the owner takes recv_mutex first;
 *   <li>ack's blocking callback before the node is ready is held and served once it is
 *       ({@code PENDING_RECV_EVENT});
 *   <li>at most one operation is in flight per lock, and a completion goes to the sequence that
 *       issued it.
 * </ul>
 */
public final class CommCore {

  /** Where the node is in its membership. */
  public enum State {
    /** Not joined (or a join failed and was undone). */
    NEW,
    /** Join runs. */
    JOINING,
    /** Joined: may send; messages are held until it is ready. */
    JOINED,
    /** Publishing its receipt as ready. */
    READYING,
    /** Sends and receives. */
    READY,
    /** Finishing what runs, then unlocking everything. */
    LEAVING,
    /** Every lock unlocked. */
    LEFT,
    /** A cancel did not complete: locks are in an unknown state; every request fails until leave. */
    BROKEN
  }

  /** Who holds recv_mutex. */
  private enum Mutex {
    NONE,
    OWNER,
    RECEIVER
  }

  private final MdSlot self;
  private final int nodes;
  private final CommOptions options;
  private final LvbFormat format;

  private State state = State.NEW;
  private String brokenReason;
  private long lastSeen;
  private long lastProcessed;
  /** The seq the last wake-up found stale (it re-armed ack at once), or 0. */
  private long lastStale;
  private final EnumMap<CommLock, LockMode> modes = new EnumMap<>(CommLock.class);
  private final EnumMap<CommLock, Sequence> inflight = new EnumMap<>(CommLock.class);
  /** Locks requested and not known to be gone (a request may still wait for its grant). */
  private final EnumSet<CommLock> existing = EnumSet.noneOf(CommLock.class);

  private JoinMachine join;
  private long joinTicket;
  private long readyTicket;
  private boolean readyRequested;
  private SingleOp readyPublish;
  private LeaveMachine leave;
  private long leaveTicket;

  private final LocalSenders senders;
  private Mutex mutex = Mutex.NONE;
  private boolean receivePending;
  private ReceiveMachine receiver;

  /**
   * @param nodes the number of md slots (the bitmap's {@code nodes}); {@code self} is one of them
   * @param format how messages and receipts sit in the LVB ({@code LvbCodec.PROTOBUF} in production)
   */
  public CommCore(MdSlot self, int nodes, CommOptions options, LvbFormat format) {
    if (self.value() >= nodes) {
      throw new IllegalArgumentException(self + " is not below nodes=" + nodes);
    }
    this.self = self;
    this.nodes = nodes;
    this.options = options;
    this.format = format;
    this.senders = new LocalSenders(options, new SendersHost());
  }

  /** The core as the local senders see it. */
  private final class SendersHost implements LocalSenders.Host {
    @Override
    public boolean canSend() {
      return CommCore.this.canSend();
    }

    @Override
    public boolean leaving() {
      return state == State.LEAVING;
    }

    @Override
    public boolean tryTakeMutex() {
      if (mutex != Mutex.NONE) {
        return false;
      }
      mutex = Mutex.OWNER;
      return true;
    }

    @Override
    public void releaseMutex() {
      mutex = Mutex.NONE;
    }

    @Override
    public SendMachine newSend(Message message) {
      return new SendMachine(self, nodes, message, lastSeen, format, options);
    }

    @Override
    public void sent(long seq) {
      lastSeen = Math.max(lastSeen, seq);
    }

    @Override
    public void emit(Sequence s, List<CommEffect> effects, List<CommEffect> out) {
      CommCore.this.emit(s, effects, out);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The step
  // ---------------------------------------------------------------------------------------------

  public List<CommEffect> step(CommInput input, long now) {
    List<CommEffect> out = new ArrayList<>(4);
    if (input instanceof CommInput.LockDone d) {
      track(d);
      route(d.lock(), input, now, out);
    } else if (input instanceof CommInput.LockRefused r) {
      route(r.lock(), input, now, out);
    } else if (state == State.BROKEN && !(input instanceof CommInput.Leave)) {
      refuseWhileBroken(input, out);
    } else if (input instanceof CommInput.Tick) {
      tick(now, out);
    } else if (input instanceof CommInput.Blocking b) {
      onBlocking(b, out);
    } else if (input instanceof CommInput.Processed || input instanceof CommInput.ProcessingFailed) {
      if (receiver != null) {
        deliver(receiver, input, now, out);
      } else {
        out.add(new CommEffect.Note("messaging.late-handler", "no message is being processed: " + input));
      }
    } else if (input instanceof CommInput.NewDiskAnswer a) {
      onNewDiskAnswer(a, now, out);
    } else if (input instanceof CommInput.ReceiptsRead) {
      for (Sequence s : senders.sequences()) {
        if (s instanceof SendMachine) {
          deliver(s, input, now, out);
        }
      }
    } else {
      onRequest(input, now, out);
    }
    advance(now, out);
    return out;
  }

  private void onRequest(CommInput input, long now, List<CommEffect> out) {
    if (input instanceof CommInput.Join j) {
      onJoin(j.ticket(), now, out);
    } else if (input instanceof CommInput.Ready r) {
      onReady(r.ticket(), now, out);
    } else if (input instanceof CommInput.Leave l) {
      onLeave(l.ticket(), now, out);
    } else if (input instanceof CommInput.Send s) {
      senders.enqueue(s.ticket(), s.message(), state.name(), now, out);
    } else if (input instanceof CommInput.LockToken t) {
      senders.enqueue(t.ticket(), null, state.name(), now, out);
    } else if (input instanceof CommInput.SendHeld s) {
      senders.underHold(s.hold(), new LocalSenders.HeldRequest(s.ticket(), s.message(), false, false), out);
    } else if (input instanceof CommInput.ClaimNoNewDev c) {
      senders.underHold(c.hold(), new LocalSenders.HeldRequest(c.ticket(), null, true, false), out);
    } else if (input instanceof CommInput.UnlockToken u) {
      senders.underHold(u.hold(), new LocalSenders.HeldRequest(u.ticket(), null, false, true), out);
    } else {
      throw new IllegalArgumentException("unknown input " + input);
    }
  }

  /** The earliest time the core needs a {@link CommInput.Tick}; {@code Long.MAX_VALUE} for none. */
  public long nextDeadline() {
    long d = senders.deadline();
    for (Sequence s : active()) {
      d = Math.min(d, s.deadline());
    }
    return d;
  }

  // ---------------------------------------------------------------------------------------------
  // Routing lock completions and delivering to sequences
  // ---------------------------------------------------------------------------------------------

  private void track(CommInput.LockDone d) {
    if (d.mode() == null) {
      modes.remove(d.lock());
      existing.remove(d.lock());
    } else {
      modes.put(d.lock(), d.mode());
    }
  }

  private void route(CommLock lock, CommInput input, long now, List<CommEffect> out) {
    Sequence s = inflight.remove(lock);
    if (s == null) {
      out.add(new CommEffect.Note("messaging.unrouted", "no operation in flight on " + lock + ": " + input));
      return;
    }
    if (state == State.BROKEN) {
      return; // the sequences were abandoned; only leave acts now
    }
    deliver(s, input, now, out);
  }

  private void deliver(Sequence s, CommInput input, long now, List<CommEffect> out) {
    List<CommEffect> effects = s.step(input, now);
    emit(s, effects, out);
    if (s.broken() != null) {
      goBroken(s.broken(), out);
    }
  }

  /** Registers the lock operations a sequence issues: at most one in flight per lock. */
  private void emit(Sequence s, List<CommEffect> effects, List<CommEffect> out) {
    for (CommEffect e : effects) {
      CommLock lock = null;
      if (e instanceof CommEffect.Request r) {
        lock = r.lock();
        existing.add(lock);
      } else if (e instanceof CommEffect.Convert c) {
        lock = c.lock();
      } else if (e instanceof CommEffect.Unlock u) {
        lock = u.lock();
      } else if (e instanceof CommEffect.Cancel c && inflight.get(c.lock()) != s) {
        throw new IllegalStateException("cancel of " + c.lock() + " by a sequence that has nothing in flight on it");
      }
      if (lock != null) {
        Sequence other = inflight.putIfAbsent(lock, s);
        if (other != null) {
          throw new IllegalStateException(
              "two operations in flight on " + lock + ": " + e + " while " + other.getClass().getSimpleName() + " waits");
        }
      }
      out.add(e);
    }
  }

  private List<Sequence> active() {
    List<Sequence> list = new ArrayList<>(5);
    for (Sequence s : new Sequence[] {join, readyPublish, leave, receiver}) {
      if (s != null) {
        list.add(s);
      }
    }
    list.addAll(senders.sequences());
    return list;
  }

  private void tick(long now, List<CommEffect> out) {
    senders.expire(now, out);
    for (Sequence s : active()) {
      if (now >= s.deadline()) {
        deliver(s, new CommInput.Tick(), now, out);
        if (state == State.BROKEN) {
          return;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Membership: join, ready, leave
  // ---------------------------------------------------------------------------------------------

  private void onJoin(long ticket, long now, List<CommEffect> out) {
    if (state != State.NEW && state != State.LEFT) {
      out.add(refused(ticket, "join: this node is " + state));
      return;
    }
    state = State.JOINING;
    joinTicket = ticket;
    join = new JoinMachine(self, format, options);
    emit(join, join.start(now), out);
  }

  private void onReady(long ticket, long now, List<CommEffect> out) {
    switch (state) {
      case JOINING -> {
        if (readyRequested) {
          out.add(refused(ticket, "ready: already requested"));
        } else {
          readyRequested = true;
          readyTicket = ticket;
        }
      }
      case JOINED -> startReady(ticket, now, out);
      case READY -> out.add(new CommEffect.Succeed(ticket, new Outcome.Done()));
      default -> out.add(refused(ticket, "ready: this node is " + state));
    }
  }

  private void startReady(long ticket, long now, List<CommEffect> out) {
    state = State.READYING;
    readyTicket = ticket;
    readyRequested = false;
    readyPublish = new SingleOp(options);
    Receipt ready = new Receipt(self, lastProcessed, true);
    emit(readyPublish, readyPublish.publishReceipt(format.encode(ready), ready.toString(), "ready: publish the receipt as ready", now), out);
  }

  private void onLeave(long ticket, long now, List<CommEffect> out) {
    switch (state) {
      case NEW, LEFT -> out.add(new CommEffect.Succeed(ticket, new Outcome.Done()));
      case JOINING -> out.add(refused(ticket, "leave: a join is in progress; leave once it completed"));
      case LEAVING -> out.add(refused(ticket, "leave: already leaving"));
      case BROKEN -> {
        // Abandon every sequence; FORCEUNLOCK works whatever is in flight.
        inflight.clear();
        receiver = null;
        readyPublish = null;
        mutex = Mutex.NONE;
        state = State.LEAVING;
        leaveTicket = ticket;
      }
      default -> {
        state = State.LEAVING;
        leaveTicket = ticket;
        receivePending = false;
        if (readyRequested) {
          readyRequested = false;
          out.add(refused(readyTicket, "ready: the node is leaving"));
        }
        senders.refuseWaiting("the node is leaving", out);
      }
    }
  }

  private boolean canSend() {
    return state == State.JOINED || state == State.READYING || state == State.READY;
  }

  // ---------------------------------------------------------------------------------------------
  // Receiving
  // ---------------------------------------------------------------------------------------------

  private void onBlocking(CommInput.Blocking b, List<CommEffect> out) {
    if (b.lock() != CommLock.ACK || b.mode() != LockMode.EX) {
      out.add(new CommEffect.Note("messaging.bast-ignored", b.lock() + " blocks " + b.mode()));
      return;
    }
    switch (state) {
      case JOINING, JOINED, READYING -> {
        receivePending = true;
        out.add(new CommEffect.Note("messaging.held", "a message arrived before this node is ready; held"));
      }
      case READY -> receivePending = true;
      default -> out.add(new CommEffect.Note("messaging.bast-ignored", "ack blocks EX while " + state));
    }
  }

  private void onNewDiskAnswer(CommInput.NewDiskAnswer a, long now, List<CommEffect> out) {
    if (receiver == null || !receiver.awaitsNewDiskAnswer()) {
      out.add(refused(a.ticket(), "spurious cluster confirmation: no NEWDISK waits for an answer"));
      return;
    }
    emit(receiver, receiver.answerNewDisk(a.found(), now), out);
    out.add(new CommEffect.Succeed(a.ticket(), new Outcome.Done()));
  }

  // ---------------------------------------------------------------------------------------------
  // Advancing after every input
  // ---------------------------------------------------------------------------------------------

  private void advance(long now, List<CommEffect> out) {
    boolean moved = true;
    while (moved && state != State.BROKEN) {
      moved = advanceJoin(now, out) | advanceReady(now, out) | senders.advance(now, out)
          | advanceReceiver(now, out) | advanceLeave(now, out);
    }
  }

  private boolean advanceJoin(long now, List<CommEffect> out) {
    if (join == null || !join.done()) {
      return false;
    }
    CommFailure failure = join.failure();
    join = null;
    if (failure != null) {
      state = State.NEW;
      modes.clear();
      existing.clear();
      out.add(new CommEffect.Fail(joinTicket, failure));
      if (readyRequested) {
        readyRequested = false;
        out.add(refused(readyTicket, "ready: the join failed"));
      }
      return true;
    }
    state = State.JOINED;
    out.add(new CommEffect.Succeed(joinTicket, new Outcome.Done()));
    if (readyRequested) {
      startReady(readyTicket, now, out);
    }
    return true;
  }

  private boolean advanceReady(long now, List<CommEffect> out) {
    if (readyPublish == null || !readyPublish.done()) {
      return false;
    }
    readyPublish = null;
    if (state == State.READYING) {
      state = State.READY;
      out.add(new CommEffect.Succeed(readyTicket, new Outcome.Done()));
    } else {
      out.add(refused(readyTicket, "ready: the node is " + state));
    }
    return true;
  }

  private boolean advanceReceiver(long now, List<CommEffect> out) {
    if (receiver != null) {
      if (!receiver.done()) {
        return false;
      }
      ReceiveMachine r = receiver;
      receiver = null;
      mutex = Mutex.NONE;
      lastSeen = Math.max(lastSeen, r.seqSeen());
      lastStale = r.result() == ReceiveMachine.Result.STALE ? r.staleSeq() : 0;
      if (r.result() == ReceiveMachine.Result.PROCESSED) {
        lastProcessed = r.envelope().seq();
      }
      return true;
    }
    if (state != State.READY || !receivePending || mutex != Mutex.NONE || senders.wantsMutex()) {
      return false;
    }
    receivePending = false;
    mutex = Mutex.RECEIVER;
    receiver = new ReceiveMachine(self, lastSeen, lastStale, modes.get(CommLock.NO_NEW_DEV), format, options);
    emit(receiver, receiver.start(now), out);
    return true;
  }

  private boolean advanceLeave(long now, List<CommEffect> out) {
    if (state != State.LEAVING) {
      return false;
    }
    if (leave == null) {
      if (senders.hasOwner() || receiver != null || readyPublish != null || !inflight.isEmpty()) {
        return false;
      }
      // §5.4 frees message, token, ack, no-new-dev, then the slot's own lock.
      List<CommLock> held = new ArrayList<>(List.of(CommLock.MESSAGE, CommLock.TOKEN, CommLock.ACK, CommLock.NO_NEW_DEV, CommLock.RECEIPT));
      held.retainAll(existing);
      leave = new LeaveMachine(held, options);
      emit(leave, leave.start(now), out);
      return true;
    }
    if (!leave.done() && leave.broken() == null) {
      return false;
    }
    leave = null;
    state = State.LEFT;
    modes.clear();
    existing.clear();
    inflight.clear();
    lastProcessed = 0;
    out.add(new CommEffect.Succeed(leaveTicket, new Outcome.Done()));
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Broken
  // ---------------------------------------------------------------------------------------------

  private void goBroken(String reason, List<CommEffect> out) {
    if (state == State.BROKEN || state == State.LEAVING && leave != null) {
      return;
    }
    state = State.BROKEN;
    brokenReason = reason;
    out.add(new CommEffect.Note("messaging.broken", reason));
    CommFailure f = CommFailure.of(CommFailure.Kind.BROKEN, "communication is broken: " + reason);
    if (join != null) {
      out.add(new CommEffect.Fail(joinTicket, f));
      join = null;
    }
    if (readyPublish != null || readyRequested) {
      out.add(new CommEffect.Fail(readyTicket, f));
      readyPublish = null;
      readyRequested = false;
    }
    senders.failAll(f, out);
    receiver = null;
    receivePending = false;
    mutex = Mutex.NONE;
  }

  private void refuseWhileBroken(CommInput input, List<CommEffect> out) {
    long ticket = ticketOf(input);
    if (ticket != 0) {
      out.add(new CommEffect.Fail(ticket, CommFailure.of(CommFailure.Kind.BROKEN, "communication is broken: " + brokenReason)));
    }
  }

  private static long ticketOf(CommInput input) {
    if (input instanceof CommInput.Join x) {
      return x.ticket();
    } else if (input instanceof CommInput.Ready x) {
      return x.ticket();
    } else if (input instanceof CommInput.Send x) {
      return x.ticket();
    } else if (input instanceof CommInput.LockToken x) {
      return x.ticket();
    } else if (input instanceof CommInput.SendHeld x) {
      return x.ticket();
    } else if (input instanceof CommInput.ClaimNoNewDev x) {
      return x.ticket();
    } else if (input instanceof CommInput.UnlockToken x) {
      return x.ticket();
    } else if (input instanceof CommInput.NewDiskAnswer x) {
      return x.ticket();
    }
    return 0;
  }

  private static CommEffect refused(long ticket, String why) {
    return LocalSenders.refused(ticket, why);
  }

  // ---------------------------------------------------------------------------------------------
  // Invariants (CONVENTIONS.md §7)
  // ---------------------------------------------------------------------------------------------

  /** @throws IllegalStateException naming the first invariant that does not hold */
  public void checkInvariants() {
    List<Sequence> active = active();
    for (Map.Entry<CommLock, Sequence> e : inflight.entrySet()) {
      if (state != State.BROKEN && !active.contains(e.getValue())) {
        fail("an operation on " + e.getKey() + " belongs to a finished sequence");
      }
      if (state != State.BROKEN && e.getValue().waitingOn() != e.getKey()) {
        fail(e.getKey() + " is in flight but its sequence waits on " + e.getValue().waitingOn());
      }
    }
    if (state != State.BROKEN) {
      for (Sequence s : active) {
        if (s.waitingOn() != null && inflight.get(s.waitingOn()) != s) {
          fail(s.getClass().getSimpleName() + " waits on " + s.waitingOn() + " but it is not registered in flight");
        }
      }
    }
    if ((mutex == Mutex.RECEIVER) != (receiver != null)) {
      fail("recv_mutex is " + mutex + " while the receiver is " + (receiver == null ? "idle" : "running"));
    }
    if ((mutex == Mutex.OWNER) != senders.owns()) {
      fail("recv_mutex is " + mutex + " while the owner is " + senders.describe());
    }
    if (senders.owns() && modes.get(CommLock.TOKEN) != LockMode.EX) {
      fail("the owner owns communication but token is " + modes.get(CommLock.TOKEN));
    }
    if (receiver != null && state != State.READY && state != State.LEAVING) {
      fail("the receiver runs while the node is " + state);
    }
    if (lastProcessed > lastSeen) {
      fail("last processed #" + lastProcessed + " is after last seen #" + lastSeen);
    }
    if (senders.waiting() > options.localQueueMax()) {
      fail(senders.waiting() + " local senders wait; the limit is " + options.localQueueMax());
    }
    if (state == State.READY && !senders.hasOwner() && receiver == null && readyPublish == null && inflight.isEmpty()) {
      expectMode(CommLock.TOKEN, LockMode.NL);
      expectMode(CommLock.MESSAGE, LockMode.NL);
      expectMode(CommLock.ACK, LockMode.CR);
      expectMode(CommLock.RECEIPT, LockMode.PW);
      LockMode nnd = modes.get(CommLock.NO_NEW_DEV);
      if (nnd != LockMode.CR && nnd != LockMode.NL) {
        fail("idle, no-new-dev is " + nnd + "; expected CR or NL");
      }
    }
    if (!existing.containsAll(modes.keySet())) {
      fail("locks with a mode " + modes.keySet() + " are not all known to exist " + existing);
    }
    if ((state == State.NEW || state == State.LEFT) && !inflight.isEmpty()) {
      fail("state " + state + " with operations in flight on " + inflight.keySet());
    }
  }

  private void expectMode(CommLock lock, LockMode expected) {
    if (modes.get(lock) != expected) {
      fail("idle, " + lock + " is " + modes.get(lock) + "; expected " + expected);
    }
  }

  private void fail(String what) {
    throw new IllegalStateException("CommCore " + self + " (" + state + "): " + what);
  }

  // ---------------------------------------------------------------------------------------------
  // Observation
  // ---------------------------------------------------------------------------------------------

  public MdSlot self() {
    return self;
  }

  public State state() {
    return state;
  }

  /** The highest seq this node sent or read. */
  public long lastSeen() {
    return lastSeen;
  }

  /** The seq of the last message this node processed and acknowledged. */
  public long lastProcessed() {
    return lastProcessed;
  }

  /** The granted mode of each lock this node holds. */
  public Map<CommLock, LockMode> modes() {
    return Collections.unmodifiableMap(modes);
  }

  /** True when nothing runs or waits: no owner, receiver, queued sender or operation in flight. */
  public boolean isIdle() {
    return senders.isIdle() && receiver == null && inflight.isEmpty() && !receivePending
        && join == null && readyPublish == null && leave == null;
  }

  public String describe() {
    return "CommCore " + self + " " + state + " lastSeen=#" + lastSeen + " lastProcessed=#" + lastProcessed
        + " modes=" + modes + " inflight=" + inflight.keySet() + " owner=" + senders.describe()
        + " queue=" + senders.waiting() + " mutex=" + mutex + " receiver="
        + (receiver == null ? "idle" : receiver.step()) + (receivePending ? " (receive pending)" : "")
        + (brokenReason == null ? "" : " broken: " + brokenReason);
  }
}
