package io.clustermd.messaging.core;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.core.Effect;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.SbFlag;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Function;

/**
 * Several {@link CommCore}s over one {@link DlmWorld}, with virtual time and a seeded choice of
 * what happens next: any lock's next callback or any node's next input. Time moves only when
 * nothing else can happen, to the next timer or deadline; so a timeout fires only when the cluster
 * is otherwise stuck or a handler is slow on purpose. Every core's and every resource's invariants
 * are checked after every step.
 */
final class ModelCluster {

  /** What a node's handler does with a message. */
  sealed interface Answer {
    record Now() implements Answer {}

    record After(long millis) implements Answer {}

    record Fail(String reason) implements Answer {}

    record Never() implements Answer {}
  }

  /** One local request's completion, as the shell would see it. */
  record Result(long ticket, Outcome outcome, CommFailure failure, long at) {}

  private record Timer(long at, long seq, Runnable action) {}

  final Random random;
  final DlmWorld world = new DlmWorld();
  final Map<Integer, ModelNode> nodes = new LinkedHashMap<>();
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private final int slots;
  private final CommOptions options;
  private long timerSeq;
  private long ticketSeq;
  long now;
  long steps;

  ModelCluster(long seed, int slots, CommOptions options) {
    this.random = new Random(seed);
    this.slots = slots;
    this.options = options;
  }

  ModelNode node(int slot) {
    return nodes.computeIfAbsent(slot, s -> new ModelNode(MdSlot.of(s)));
  }

  long nextTicket() {
    return ++ticketSeq;
  }

  void at(long time, Runnable action) {
    timers.add(new Timer(time, ++timerSeq, action));
  }

  /**
   * One step: a random callback or input; else advance time to the next timer or deadline.
   *
   * @return false when nothing at all can happen any more
   */
  boolean step() {
    List<Runnable> ready = new ArrayList<>();
    for (DlmWorld.Handle h : world.deliverable()) {
      ready.add(() -> world.deliver(h));
    }
    for (ModelNode n : nodes.values()) {
      if (!n.inbox.isEmpty()) {
        ready.add(n::runOne);
      }
    }
    if (!ready.isEmpty()) {
      ready.get(random.nextInt(ready.size())).run();
      steps++;
      checkInvariants();
      return true;
    }
    long next = timers.isEmpty() ? Long.MAX_VALUE : timers.peek().at;
    for (ModelNode n : nodes.values()) {
      next = Math.min(next, n.core.nextDeadline());
    }
    if (next == Long.MAX_VALUE) {
      return false;
    }
    now = Math.max(now, next);
    while (!timers.isEmpty() && timers.peek().at <= now) {
      timers.poll().action.run();
    }
    for (ModelNode n : nodes.values()) {
      if (n.core.nextDeadline() <= now) {
        n.post(new CommInput.Tick());
      }
    }
    return true;
  }

  /** Runs until nothing can happen; fails after {@code maxSteps}. */
  void runToQuiescence(long maxSteps) {
    long start = steps;
    while (step()) {
      if (steps - start > maxSteps) {
        throw new AssertionError("no quiescence after " + maxSteps + " steps at t=" + now + "\n" + describe());
      }
    }
  }

  void checkInvariants() {
    world.checkInvariants();
    for (ModelNode n : nodes.values()) {
      n.core.checkInvariants();
    }
  }

  String describe() {
    StringBuilder sb = new StringBuilder();
    for (ModelNode n : nodes.values()) {
      sb.append(n.core.describe()).append('\n');
    }
    return sb.append(world.describe()).toString();
  }

  /** One node: its core, its locks in the world, its handler and what it saw. */
  final class ModelNode {
    final MdSlot slot;
    final CommCore core;
    final ArrayDeque<CommInput> inbox = new ArrayDeque<>();
    final EnumMap<CommLock, DlmWorld.Handle> locks = new EnumMap<>(CommLock.class);
    final List<Envelope> processed = new ArrayList<>();
    final Map<Long, Result> results = new HashMap<>();
    final List<CommEffect.Note> notes = new ArrayList<>();
    Function<Envelope, Answer> handler = e -> new Answer.Now();
    /** Free for tests to mark a node. */
    boolean sendsScheduled;
    /** Called when a local request completes. */
    java.util.function.Consumer<Result> onResult = r -> {};
    /** Called when a message is handed to the handler. */
    java.util.function.Consumer<Envelope> onProcess = e -> {};

    ModelNode(MdSlot slot) {
      this.slot = slot;
      this.core = new CommCore(slot, slots, options, io.clustermd.messaging.message.LvbCodec.PROTOBUF);
    }

    void post(CommInput in) {
      inbox.add(in);
    }

    long request(Function<Long, CommInput> make) {
      long t = nextTicket();
      post(make.apply(t));
      return t;
    }

    long join() {
      return request(CommInput.Join::new);
    }

    long ready() {
      return request(CommInput.Ready::new);
    }

    long leave() {
      return request(CommInput.Leave::new);
    }

    long send(Message m) {
      return request(t -> new CommInput.Send(t, m));
    }

    void runOne() {
      CommInput in = inbox.poll();
      for (CommEffect e : core.step(in, now)) {
        execute(e);
      }
    }

    private void execute(CommEffect e) {
      if (e instanceof CommEffect.Request r) {
        try {
          DlmWorld.Handle h =
              world.request(
                  slot + "/" + r.lock(),
                  r.lock().resource(slot),
                  r.mode(),
                  r.flags(),
                  r.lock().hasLvb(),
                  r.lock() == CommLock.ACK,
                  listener(r.lock()));
          locks.put(r.lock(), h);
        } catch (DlmException refused) {
          post(new CommInput.LockRefused(r.lock(), refused.getMessage()));
        }
      } else if (e instanceof CommEffect.Convert c) {
        DlmWorld.Handle h = locks.get(c.lock());
        try {
          if (c.lvb() != null) {
            System.arraycopy(c.lvb(), 0, h.lvb, 0, h.lvb.length);
          }
          world.convert(h, c.mode(), c.flags());
        } catch (DlmException refused) {
          post(new CommInput.LockRefused(c.lock(), refused.getMessage()));
        }
      } else if (e instanceof CommEffect.Cancel c) {
        world.cancel(locks.get(c.lock()));
      } else if (e instanceof CommEffect.Unlock u) {
        try {
          world.unlock(locks.get(u.lock()), LockFlags.of(LockFlag.FORCEUNLOCK));
        } catch (DlmException refused) {
          post(new CommInput.LockRefused(u.lock(), refused.getMessage()));
        }
      } else if (e instanceof CommEffect.ReadReceipts rr) {
        readReceipts(rr.slots());
      } else if (e instanceof CommEffect.Process p) {
        process(p.envelope());
      } else if (e instanceof CommEffect.Succeed s) {
        complete(new Result(s.ticket(), s.outcome(), null, now));
      } else if (e instanceof CommEffect.Fail f) {
        complete(new Result(f.ticket(), null, f.failure(), now));
      } else if (e instanceof CommEffect.Note n) {
        notes.add(n);
      }
    }

    private void complete(Result r) {
      if (results.put(r.ticket(), r) != null) {
        throw new AssertionError(slot + ": ticket #" + r.ticket() + " completed twice");
      }
      onResult.accept(r);
    }

    private DlmWorld.Listener listener(CommLock lock) {
      return new DlmWorld.Listener() {
        @Override
        public void completed(DlmWorld.Handle h, Effect.Completion c) {
          post(
              new CommInput.LockDone(
                  lock,
                  c.status(),
                  c.mode(),
                  h.lvb == null ? null : h.lvb.clone(),
                  SbFlag.isSet(c.sbFlags(), SbFlag.VALNOTVALID)));
        }

        @Override
        public void blocked(DlmWorld.Handle h, LockMode mode) {
          post(new CommInput.Blocking(lock, mode));
        }
      };
    }

    private void process(Envelope e) {
      onProcess.accept(e);
      Answer a = handler.apply(e);
      if (a instanceof Answer.Now) {
        processed.add(e);
        post(new CommInput.Processed(e.seq()));
      } else if (a instanceof Answer.After after) {
        at(now + after.millis(), () -> {
          processed.add(e);
          post(new CommInput.Processed(e.seq()));
        });
      } else if (a instanceof Answer.Fail f) {
        post(new CommInput.ProcessingFailed(e.seq(), f.reason()));
      }
    }

    /** Reads receipts as the shell does: a CR request with VALBLK per slot, then unlock. */
    private void readReceipts(List<MdSlot> slots) {
      Map<MdSlot, byte[]> read = new HashMap<>();
      for (MdSlot s : slots) {
        world.request(
            slot + "/probe-" + s,
            CommLock.receipt(s),
            LockMode.CR,
            LockFlags.of(LockFlag.VALBLK),
            true,
            false,
            new DlmWorld.Listener() {
              @Override
              public void completed(DlmWorld.Handle h, Effect.Completion c) {
                if (c.mode() == null) {
                  return; // the probe's unlock
                }
                read.put(s, c.status() == io.clustermd.dlm.core.DlmStatus.OK ? h.lvb.clone() : null);
                world.unlock(h, LockFlags.NONE);
                if (read.size() == slots.size()) {
                  post(new CommInput.ReceiptsRead(read));
                }
              }

              @Override
              public void blocked(DlmWorld.Handle h, LockMode mode) {}
            });
      }
    }
  }
}
