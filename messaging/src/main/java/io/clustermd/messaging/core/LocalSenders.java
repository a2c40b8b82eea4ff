package io.clustermd.messaging.core;

import io.clustermd.messaging.message.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * This node's senders (mdcluster.md §3.3 {@code lock_comm}/{@code unlock_comm}): a bounded FIFO of
 * local requests waiting for their turn (the kernel's {@code MD_CLUSTER_SEND_LOCK} bit, here with a
 * limit on the wait), and the one owner that takes token EX, then recv_mutex, runs its send (or,
 * for a held token, the sends and the no-new-dev claim that come under it, the kernel's
 * {@code SEND_LOCKED_ALREADY}), then releases recv_mutex and the token.
 */
final class LocalSenders {

  /** What the senders need from the node's core. */
  interface Host {
    /** The node may send (joined, ready or becoming ready). */
    boolean canSend();

    boolean leaving();

    /** Takes recv_mutex if it is free. */
    boolean tryTakeMutex();

    void releaseMutex();

    /** A send machine numbering after everything this node has seen. */
    SendMachine newSend(Message message);

    /** This node sent {@code seq}. */
    void sent(long seq);

    /** Registers and emits a sequence's lock operations. */
    void emit(Sequence s, List<CommEffect> effects, List<CommEffect> out);
  }

  /** A local request waiting for its turn to own communication; a null message asks for a hold. */
  private record Waiting(long ticket, Message message, long since, long deadline) {
    boolean isHold() {
      return message == null;
    }
  }

  /** A request under a held token. */
  record HeldRequest(long ticket, Message message, boolean claim, boolean unlock) {}

  /** The local sender that owns (or is about to own) communication. */
  private final class Owner {
    final long ticket;
    final Message message;
    final TokenSequence token = new TokenSequence(options);
    final ArrayDeque<HeldRequest> held = new ArrayDeque<>();
    boolean owning;
    boolean releasing;
    Sequence op;
    long opTicket;
    Outcome outcome;
    CommFailure failure;
    long unlockTicket;

    Owner(Waiting w) {
      this.ticket = w.ticket();
      this.message = w.message();
    }

    boolean isHold() {
      return message == null;
    }

    String describe() {
      return (isHold() ? "token hold #" + ticket : message.type() + " send #" + ticket)
          + (releasing ? " releasing the token" : owning ? " owning communication" : " waiting for token EX");
    }
  }

  private final CommOptions options;
  private final Host host;
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private Owner owner;

  LocalSenders(CommOptions options, Host host) {
    this.options = options;
    this.host = host;
  }

  // ---------------------------------------------------------------------------------------------
  // Requests
  // ---------------------------------------------------------------------------------------------

  /** A send ({@code message} not null) or a token hold waits for its turn. */
  void enqueue(long ticket, Message message, String state, long now, List<CommEffect> out) {
    if (!host.canSend()) {
      out.add(refused(ticket, (message == null ? "lock token" : "send " + message.type()) + ": this node is " + state));
      return;
    }
    if (queue.size() >= options.localQueueMax()) {
      out.add(
          new CommEffect.Fail(
              ticket,
              CommFailure.of(
                  CommFailure.Kind.QUEUE_FULL, options.localQueueMax() + " local senders already wait for their turn")));
      return;
    }
    queue.add(new Waiting(ticket, message, now, now + options.localWaitMillisMax()));
  }

  /** A send, claim or unlock under the hold that {@code hold} created. */
  void underHold(long hold, HeldRequest request, List<CommEffect> out) {
    if (owner == null || !owner.isHold() || owner.ticket != hold || owner.releasing) {
      out.add(refused(request.ticket(), "token hold #" + hold + " is not held by this node"));
      return;
    }
    if (owner.held.size() >= options.localQueueMax()) {
      out.add(
          new CommEffect.Fail(
              request.ticket(),
              CommFailure.of(CommFailure.Kind.QUEUE_FULL, "too many requests under token hold #" + hold)));
      return;
    }
    owner.held.add(request);
  }

  /** Fails the requests still waiting for their turn; a send's error names its message. */
  void refuseWaiting(String why, List<CommEffect> out) {
    for (Waiting w : queue) {
      out.add(new CommEffect.Fail(w.ticket(), about(CommFailure.of(CommFailure.Kind.REFUSED, why), w.message())));
    }
    queue.clear();
  }

  /**
   * Fails everything, the owner included, and forgets it (the node is broken). Each send's error names
   * its message (CONVENTIONS.md §6: a bounded wait's expiry is a clear error).
   */
  void failAll(CommFailure f, List<CommEffect> out) {
    if (owner != null) {
      out.add(new CommEffect.Fail(owner.ticket, about(f, owner.message)));
      if (owner.op != null && owner.isHold()) {
        Message m = owner.op instanceof SendMachine send ? send.message() : null;
        out.add(new CommEffect.Fail(owner.opTicket, about(f, m)));
      }
      for (HeldRequest r : owner.held) {
        out.add(new CommEffect.Fail(r.ticket(), about(f, r.message())));
      }
      owner = null;
    }
    for (Waiting w : queue) {
      out.add(new CommEffect.Fail(w.ticket(), about(f, w.message())));
    }
    queue.clear();
  }

  /** {@code f} as the send of {@code m} reports it: naming the message; unchanged for other requests. */
  static CommFailure about(CommFailure f, Message m) {
    if (m == null) {
      return f;
    }
    return new CommFailure(f.kind(), m.type() + " send failed: " + f.description(), m.type(), f.seq(), f.notAcked());
  }

  /** Fails the requests that waited longer than {@code localWaitMillisMax}. */
  void expire(long now, List<CommEffect> out) {
    for (Iterator<Waiting> it = queue.iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      if (now >= w.deadline()) {
        it.remove();
        out.add(
            new CommEffect.Fail(
                w.ticket(),
                CommFailure.of(
                    CommFailure.Kind.LOCAL_WAIT_EXPIRED,
                    (w.isHold() ? "token hold" : w.message().type() + " send") + " waited " + (now - w.since())
                        + " ms for its turn behind local senders (limit " + options.localWaitMillisMax()
                        + " ms); owner: " + describe())));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Advancing
  // ---------------------------------------------------------------------------------------------

  /** Moves the owner one step if it can; true when something changed. */
  boolean advance(long now, List<CommEffect> out) {
    if (owner == null) {
      if (queue.isEmpty() || !host.canSend()) {
        return false;
      }
      owner = new Owner(queue.poll());
      host.emit(owner.token, owner.token.acquire(now), out);
      return true;
    }
    Owner o = owner;
    if (!o.owning) {
      return advanceToOwning(o, now, out);
    }
    if (o.releasing) {
      if (!o.token.done()) {
        return false;
      }
      owner = null;
      finishOwner(o, out);
      return true;
    }
    if (o.op != null) {
      if (!o.op.done()) {
        return false;
      }
      Sequence op = o.op;
      o.op = null;
      finishOp(o, op, out);
      if (!o.isHold()) {
        release(o, now, out);
      }
      return true;
    }
    return runHeld(o, now, out);
  }

  /** lock_comm: token EX granted, then recv_mutex. */
  private boolean advanceToOwning(Owner o, long now, List<CommEffect> out) {
    if (!o.token.done()) {
      return false;
    }
    if (o.token.phase() == TokenSequence.Phase.FAILED) {
      owner = null;
      out.add(new CommEffect.Fail(o.ticket, failureFor(o, o.token.failure())));
      return true;
    }
    if (!host.tryTakeMutex()) {
      return false; // the receiver finishes first; no other node can be sending now
    }
    o.owning = true;
    if (o.isHold()) {
      out.add(new CommEffect.Succeed(o.ticket, new Outcome.Held(o.ticket)));
    } else {
      startSend(o, o.ticket, o.message, now, out);
    }
    return true;
  }

  /** A hold owning communication with nothing running: the next request under it. */
  private boolean runHeld(Owner o, long now, List<CommEffect> out) {
    HeldRequest next = o.held.poll();
    if (next == null) {
      if (host.leaving()) {
        release(o, now, out);
        return true;
      }
      return false;
    }
    if (next.unlock()) {
      o.unlockTicket = next.ticket();
      release(o, now, out);
    } else if (next.claim()) {
      ClaimMachine claim = new ClaimMachine(options);
      o.op = claim;
      o.opTicket = next.ticket();
      host.emit(claim, claim.start(now), out);
    } else {
      startSend(o, next.ticket(), next.message(), now, out);
    }
    return true;
  }

  private void startSend(Owner o, long ticket, Message message, long now, List<CommEffect> out) {
    SendMachine send = host.newSend(message);
    o.op = send;
    o.opTicket = ticket;
    host.emit(send, send.start(now), out);
  }

  private void finishOp(Owner o, Sequence op, List<CommEffect> out) {
    Outcome outcome;
    CommFailure failure;
    if (op instanceof SendMachine send) {
      if (send.envelope() != null) {
        host.sent(send.envelope().seq());
      }
      outcome = send.outcome();
      failure = send.failure();
    } else {
      ClaimMachine claim = (ClaimMachine) op;
      outcome = claim.outcome();
      failure = claim.failure();
    }
    if (o.isHold()) {
      out.add(failure == null ? new CommEffect.Succeed(o.opTicket, outcome) : new CommEffect.Fail(o.opTicket, failure));
    } else {
      o.outcome = outcome;
      o.failure = failure;
    }
  }

  /** unlock_comm: recv_mutex first, then token NL. */
  private void release(Owner o, long now, List<CommEffect> out) {
    o.releasing = true;
    host.releaseMutex();
    host.emit(o.token, o.token.release(now), out);
  }

  private void finishOwner(Owner o, List<CommEffect> out) {
    if (o.isHold()) {
      for (HeldRequest r : o.held) {
        out.add(refused(r.ticket(), "token hold #" + o.ticket + " was released"));
      }
      if (o.unlockTicket != 0) {
        out.add(new CommEffect.Succeed(o.unlockTicket, new Outcome.Done()));
      }
    } else if (o.failure != null) {
      out.add(new CommEffect.Fail(o.ticket, o.failure));
    } else {
      out.add(new CommEffect.Succeed(o.ticket, o.outcome));
    }
  }

  private static CommFailure failureFor(Owner o, CommFailure f) {
    if (o.isHold()) {
      return f;
    }
    return new CommFailure(f.kind(), o.message.type() + " was not sent: " + f.description(), o.message.type(), 0, List.of());
  }

  static CommEffect refused(long ticket, String why) {
    return new CommEffect.Fail(ticket, CommFailure.of(CommFailure.Kind.REFUSED, why));
  }

  // ---------------------------------------------------------------------------------------------
  // Observation
  // ---------------------------------------------------------------------------------------------

  /** The sequences with work in flight (the owner's token and its send or claim). */
  List<Sequence> sequences() {
    List<Sequence> list = new ArrayList<>(2);
    if (owner != null) {
      list.add(owner.token);
      if (owner.op != null) {
        list.add(owner.op);
      }
    }
    return list;
  }

  long deadline() {
    long d = Long.MAX_VALUE;
    for (Waiting w : queue) {
      d = Math.min(d, w.deadline());
    }
    return d;
  }

  /** The owner holds token EX and recv_mutex (and is not releasing them). */
  boolean owns() {
    return owner != null && owner.owning && !owner.releasing;
  }

  /** The owner got token EX and waits for recv_mutex: it goes before a pending receive. */
  boolean wantsMutex() {
    return owner != null && !owner.owning && owner.token.phase() == TokenSequence.Phase.HELD;
  }

  boolean hasOwner() {
    return owner != null;
  }

  int waiting() {
    return queue.size();
  }

  boolean isIdle() {
    return owner == null && queue.isEmpty();
  }

  String describe() {
    return owner == null ? "none" : owner.describe();
  }
}
