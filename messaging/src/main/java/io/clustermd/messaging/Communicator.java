package io.clustermd.messaging;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.Lockspace;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.api.WaiterFuture;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.core.CommCore;
import io.clustermd.messaging.core.CommEffect;
import io.clustermd.messaging.core.CommFailure;
import io.clustermd.messaging.core.CommInput;
import io.clustermd.messaging.core.CommLock;
import io.clustermd.messaging.core.CommOptions;
import io.clustermd.messaging.core.Outcome;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.LvbCodec;
import io.clustermd.messaging.message.Message;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's md-cluster communication over a {@link Lockspace}: the shell of {@link CommCore}.
 *
 * <p>Every input — a caller's request, a lock completion or blocking callback arriving on a DLM
 * thread, a handler's answer, a tick — is posted to one mailbox and fed to the
 * core, one input at a time, with the current time; the shell then carries out the core's effects
 * (lock, convert, cancel, unlock, read receipts, hand a message to the handler, complete a caller)
 * and schedules a tick for the core's next deadline. The mailbox is a {@link Trampoline}: the
 * thread that posts runs the step unless another step is running, which saves a thread wake-up per
 * step of a broadcast. Steps never block. The handler runs on a thread of its own, so a slow handler
 * never delays the core's timeouts.
 *
 * <p>The locks are requested with non-blocking callbacks (fs/dlm's AST contract: the handlers
 * only post to the mailbox), so a lock's completion or blocking callback runs the next step on the
 * thread that received it, usually the DLM frame transport's I/O thread: no hand-off to a callback
 * thread on any transit of a broadcast. Caller code does not run there. A future this class returns
 * is completed in the step only when no stage depends on it (the caller waits in {@code get} or
 * {@code join}, and is woken directly); otherwise it is completed on the communicator's own
 * completion thread, where stages chained with non-async methods then run. They should still not
 * block for long: they delay the completions of this communicator's later requests.
 *
 * <p>Each node has its own {@code token}, {@code message}, {@code ack}, {@code no-new-dev} and
 * {@code receipt%04d} locks, exactly as on separate hosts, even when several communicators share
 * one lockspace object (tests).
 */
public final class Communicator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Communicator.class);

  /** Decisions logged at DEBUG; the others (timeouts, refusals, not-acked) at INFO. */
  private static final Set<String> QUIET_NOTES =
      Set.of("messaging.held", "messaging.stale", "messaging.newdisk-wait", "messaging.unrouted", "messaging.bast-ignored");

  /**
   * @param comm the bounds of every wait
   * @param checkInvariants run {@link CommCore#checkInvariants()} after every step (tests)
   */
  public record Options(CommOptions comm, boolean checkInvariants) {
    public static Options defaults() {
      return new Options(CommOptions.defaults(), false);
    }

    public Options withComm(CommOptions c) {
      return new Options(c, checkInvariants);
    }

    public Options withInvariantChecks() {
      return new Options(comm, true);
    }
  }

  private final Lockspace lockspace;
  private final MdSlot self;
  private final MessageHandler handler;
  private final Options options;
  private final CommCore core;
  private final Trampoline mailbox;
  private final ScheduledExecutorService timer;
  private final ExecutorService handlerThread;
  /** Completes the futures of callers that chained stages to them, off the DLM's threads. */
  private final ExecutorService completionThread;
  private final long originNanos = System.nanoTime();
  private final AtomicLong tickets = new AtomicLong();
  private final Map<Long, Waiting<?>> pending = new ConcurrentHashMap<>();

  // Mailbox only (one step at a time, on whichever thread runs it).
  private final EnumMap<CommLock, DlmLock> locks = new EnumMap<>(CommLock.class);
  private ScheduledFuture<?> tickTask;
  private long tickAt = Long.MAX_VALUE;
  private long tickGeneration;

  private volatile CommCore.State state = CommCore.State.NEW;
  private volatile long lastProcessed;

  /**
   * @param nodes the number of md slots (the bitmap's {@code nodes}); {@code self} is below it
   */
  public Communicator(Lockspace lockspace, MdSlot self, int nodes, MessageHandler handler, Options options) {
    if (lockspace.lvbLength() != LvbCodec.LVB_BYTES) {
      throw new IllegalArgumentException(
          "lockspace " + lockspace.name() + " has " + lockspace.lvbLength() + "-byte LVBs; md-cluster needs "
              + LvbCodec.LVB_BYTES);
    }
    this.lockspace = lockspace;
    this.self = self;
    this.handler = handler;
    this.options = options;
    this.core = new CommCore(self, nodes, options.comm(), LvbCodec.PROTOBUF);
    String name = "messaging-" + lockspace.name() + "-" + self;
    this.mailbox = new Trampoline((task, e) -> log.error("messaging.step-failed node={} {}", self, e.toString()));
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, name + "-timer"));
    this.handlerThread = Executors.newSingleThreadExecutor(r -> daemon(r, name + "-handler"));
    this.completionThread = Executors.newSingleThreadExecutor(r -> daemon(r, name + "-completions"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  // ---------------------------------------------------------------------------------------------
  // The API
  // ---------------------------------------------------------------------------------------------

  /** Joins (mdcluster.md §5.1): completes once ack CR was taken under token EX. */
  public CompletionStage<Void> join() {
    return request(CommInput.Join::new, o -> null);
  }

  /** The node processes messages from now on; those that arrived since join are processed first. */
  public CompletionStage<Void> ready() {
    return request(CommInput.Ready::new, o -> null);
  }

  /** Leaves (§5.4): what runs finishes, then every lock is unlocked. */
  public CompletionStage<Void> leave() {
    return request(CommInput.Leave::new, o -> null);
  }

  /**
   * Broadcasts {@code message} (the kernel's {@code sendmsg}); completes with its seq once every
   * other node processed it, or fails with a {@link CommunicationException}.
   */
  public CompletionStage<Long> send(Message message) {
    return request(t -> new CommInput.Send(t, message), o -> ((Outcome.Sent) o).seq());
  }

  /**
   * Owns communication until {@link HeldToken#unlock()} (the kernel's {@code lock_comm} kept across
   * a multi-step operation, e.g. add-disk then the metadata update). Meanwhile no other node, and
   * no other local sender, can send.
   */
  public CompletionStage<HeldToken> lockToken() {
    return request(CommInput.LockToken::new, o -> new HeldToken(((Outcome.Held) o).hold()));
  }

  /**
   * Answers the NEWDISK this node is processing (K-MC {@code new_disk_ack}): the disk was found
   * (confirm: no-new-dev drops to NL) or not (nack). Fails as "spurious cluster confirmation" when no
   * NEWDISK waits.
   */
  public CompletionStage<Void> newDiskAck(boolean found) {
    return request(t -> new CommInput.NewDiskAnswer(t, found), o -> null);
  }

  /** A token held for a multi-step operation. */
  public final class HeldToken {
    private final long hold;

    private HeldToken(long hold) {
      this.hold = hold;
    }

    /** Broadcasts under the held token ("send locked already"). */
    public CompletionStage<Long> send(Message message) {
      return request(t -> new CommInput.SendHeld(t, hold, message), o -> ((Outcome.Sent) o).seq());
    }

    /** no-new-dev EX with NOQUEUE (§5.6): true when every other node confirmed the new disk. */
    public CompletionStage<Boolean> claimNoNewDev() {
      return request(t -> new CommInput.ClaimNoNewDev(t, hold), o -> ((Outcome.Claimed) o).granted());
    }

    /** Releases the token ({@code unlock_comm}). */
    public CompletionStage<Void> unlock() {
      return request(t -> new CommInput.UnlockToken(t, hold), o -> null);
    }
  }

  public MdSlot self() {
    return self;
  }

  public CommCore.State state() {
    return state;
  }

  /** The seq of the last message this node processed and acknowledged. */
  public long lastProcessed() {
    return lastProcessed;
  }

  /** Stops the threads; does not leave. Requests still pending fail. */
  @Override
  public void close() {
    mailbox.close();
    timer.shutdownNow();
    handlerThread.shutdownNow();
    completionThread.shutdown();
    CommunicationException closed =
        new CommunicationException(CommFailure.of(CommFailure.Kind.REFUSED, "communicator of " + self + " was closed"));
    pending.values().forEach(w -> w.future().completeExceptionally(closed));
    pending.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // The mailbox
  // ---------------------------------------------------------------------------------------------

  /** A caller's request in flight: its future, and how the core's outcome becomes its value. */
  private record Waiting<T>(WaiterFuture<T> future, Function<Outcome, T> value) {
    void succeed(Outcome o) {
      future.complete(value.apply(o));
    }
  }

  private <T> CompletionStage<T> request(LongFunction<CommInput> make, Function<Outcome, T> value) {
    long ticket = tickets.incrementAndGet();
    WaiterFuture<T> done = new WaiterFuture<>();
    pending.put(ticket, new Waiting<>(done, value));
    if (!post(make.apply(ticket))) {
      pending.remove(ticket);
      done.completeExceptionally(
          new CommunicationException(CommFailure.of(CommFailure.Kind.REFUSED, "communicator of " + self + " is closed")));
    }
    return done;
  }

  /**
   * Completes a caller's future: here when that runs no caller code (the caller waits in get or
   * join), otherwise on the completion thread, so the caller's stages do not run on a DLM thread. A
   * stage chained in the instant between the check and the completion would run here, as it would
   * on any thread that completes a CompletableFuture; callers chain their stages before they wait.
   */
  private void finish(Waiting<?> w, Runnable completion) {
    if (w.future().hasNoDependents()) {
      completion.run();
      return;
    }
    try {
      completionThread.execute(completion);
    } catch (RejectedExecutionException closed) {
      completion.run();
    }
  }

  private boolean post(CommInput input) {
    return mailbox.execute(() -> step(input));
  }

  private long now() {
    return (System.nanoTime() - originNanos) / 1_000_000;
  }

  private void step(CommInput input) {
    List<CommEffect> effects;
    try {
      effects = core.step(input, now());
      if (options.checkInvariants()) {
        core.checkInvariants();
      }
    } catch (RuntimeException bug) {
      log.error("messaging.core-failed node={} input={} core={}", self, input, core.describe(), bug);
      throw bug;
    }
    // Published before the effects complete any caller, so that a caller sees the state it caused.
    state = core.state();
    lastProcessed = core.lastProcessed();
    for (CommEffect e : effects) {
      execute(e);
    }
    scheduleTick();
  }

  /**
   * Makes sure a tick comes no later than the core's next deadline. A tick already scheduled for that
   * time or earlier is kept: most steps of a broadcast push the deadline later (each lock wait is
   * bounded from its own start), and re-arming on every step would leave a cancelled task in the
   * timer's queue per step (they stay there until their time: 30 s of a thousand broadcasts a second
   * is hundreds of thousands). An early tick finds nothing due, and its step schedules the next one.
   */
  private void scheduleTick() {
    long deadline = core.nextDeadline();
    if (deadline >= tickAt) {
      return;
    }
    if (tickTask != null) {
      tickTask.cancel(false);
      tickTask = null;
    }
    tickAt = deadline;
    long generation = ++tickGeneration;
    Runnable tick = () -> {
      // A tick that fired just as a later step rescheduled must not forget the newer one.
      if (generation == tickGeneration) {
        tickAt = Long.MAX_VALUE;
        tickTask = null;
      }
      step(new CommInput.Tick());
    };
    try {
      tickTask = timer.schedule(() -> mailbox.execute(tick), Math.max(0, deadline - now()), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      tickTask = null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Effects
  // ---------------------------------------------------------------------------------------------

  private void execute(CommEffect e) {
    if (e instanceof CommEffect.Request r) {
      request(r);
    } else if (e instanceof CommEffect.Convert c) {
      convert(c);
    } else if (e instanceof CommEffect.Cancel c) {
      cancel(c);
    } else if (e instanceof CommEffect.Unlock u) {
      unlock(u);
    } else if (e instanceof CommEffect.ReadReceipts r) {
      readReceipts(r);
    } else if (e instanceof CommEffect.Process p) {
      process(p.envelope());
    } else if (e instanceof CommEffect.Succeed s) {
      Waiting<?> w = pending.remove(s.ticket());
      if (w != null) {
        finish(w, () -> w.succeed(s.outcome()));
      }
    } else if (e instanceof CommEffect.Fail f) {
      Waiting<?> w = pending.remove(f.ticket());
      if (w != null) {
        CommunicationException why = new CommunicationException(f.failure());
        finish(w, () -> w.future().completeExceptionally(why));
      }
    } else if (e instanceof CommEffect.Note n) {
      if (QUIET_NOTES.contains(n.event())) {
        log.debug("{} node={} {}", n.event(), self, n.detail());
      } else {
        log.info("{} node={} {}", n.event(), self, n.detail());
      }
    }
  }

  private void request(CommEffect.Request r) {
    CommLock kind = r.lock();
    LockRequest req = new LockRequest(
        kind.resource(self),
        r.mode(),
        r.flags(),
        kind.hasLvb() ? new byte[lockspace.lvbLength()] : null,
        kind == CommLock.ACK ? (lock, mode) -> post(new CommInput.Blocking(CommLock.ACK, mode)) : null,
        true);
    log.debug("messaging.lock node={} res={} mode={} flags={} why={}", self, req.resource(), r.mode(), r.flags(), r.why());
    DlmLock lock;
    try {
      lock = lockspace.lock(req);
    } catch (DlmException refused) {
      post(new CommInput.LockRefused(kind, refused.getMessage()));
      return;
    }
    locks.put(kind, lock);
    lock.requested().whenComplete((sb, ex) -> completed(kind, lock, sb, ex));
  }

  private void convert(CommEffect.Convert c) {
    DlmLock lock = locks.get(c.lock());
    if (lock == null) {
      post(new CommInput.LockRefused(c.lock(), "this node holds no " + c.lock() + " lock"));
      return;
    }
    if (c.lvb() != null) {
      System.arraycopy(c.lvb(), 0, lock.lvb(), 0, lock.lvb().length);
    }
    log.debug("messaging.convert node={} res={} mode={} flags={} why={}", self, lock.resource(), c.mode(), c.flags(), c.why());
    CompletionStage<StatusBlock> done;
    try {
      done = lock.convert(c.mode(), c.flags());
    } catch (DlmException refused) {
      post(new CommInput.LockRefused(c.lock(), refused.getMessage()));
      return;
    }
    done.whenComplete((sb, ex) -> completed(c.lock(), lock, sb, ex));
  }

  private void cancel(CommEffect.Cancel c) {
    DlmLock lock = locks.get(c.lock());
    try {
      if (lock != null) {
        lock.cancel();
      }
    } catch (DlmException refused) {
      log.info("messaging.cancel-refused node={} res={} {}", self, lock.resource(), refused.getMessage());
    }
  }

  private void unlock(CommEffect.Unlock u) {
    DlmLock lock = locks.remove(u.lock());
    if (lock == null) {
      post(new CommInput.LockRefused(u.lock(), "this node holds no " + u.lock() + " lock"));
      return;
    }
    CompletionStage<StatusBlock> done;
    try {
      done = lock.unlock(LockFlags.of(LockFlag.FORCEUNLOCK));
    } catch (DlmException refused) {
      post(new CommInput.LockRefused(u.lock(), refused.getMessage()));
      return;
    }
    done.whenComplete((sb, ex) -> completed(u.lock(), lock, sb, ex));
  }

  /** Called on the thread that delivered the completion: copy the LVB now, decide in the mailbox. */
  private void completed(CommLock kind, DlmLock lock, StatusBlock sb, Throwable ex) {
    if (ex != null) {
      Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
      post(new CommInput.LockRefused(kind, String.valueOf(cause.getMessage())));
      return;
    }
    byte[] lvb = lock.lvb() == null ? null : lock.lvb().clone();
    post(new CommInput.LockDone(kind, sb.status(), sb.mode(), lvb, sb.valueNotValid()));
  }

  /** Reads each slot's receipt: a CR request with VALBLK (compatible with its owner's PW), then unlock. */
  private void readReceipts(CommEffect.ReadReceipts r) {
    Map<MdSlot, byte[]> read = new HashMap<>();
    List<CompletableFuture<Void>> all = new ArrayList<>(r.slots().size());
    for (MdSlot slot : r.slots()) {
      CompletableFuture<Void> one = new CompletableFuture<>();
      all.add(one);
      try {
        DlmLock probe =
            lockspace.lock(
                new LockRequest(
                    CommLock.receipt(slot), LockMode.CR, LockFlags.of(LockFlag.VALBLK), new byte[lockspace.lvbLength()], null,
                    true));
        probe.requested().whenComplete((sb, ex) -> {
          synchronized (read) {
            read.put(slot, ex == null && sb.granted() ? probe.lvb().clone() : null);
          }
          if (ex == null && sb.granted()) {
            probe.unlock(LockFlags.NONE);
          }
          one.complete(null);
        });
      } catch (DlmException refused) {
        synchronized (read) {
          read.put(slot, null);
        }
        one.complete(null);
      }
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
        .thenRun(() -> {
          synchronized (read) {
            post(new CommInput.ReceiptsRead(read));
          }
        });
  }

  private void process(Envelope envelope) {
    long seq = envelope.seq();
    try {
      handlerThread.execute(() -> {
        CompletionStage<Void> stage;
        try {
          stage = handler.handle(envelope);
        } catch (RuntimeException thrown) {
          post(new CommInput.ProcessingFailed(seq, String.valueOf(thrown)));
          return;
        }
        stage.whenComplete((v, ex) -> post(
            ex == null ? new CommInput.Processed(seq) : new CommInput.ProcessingFailed(seq, describe(ex))));
      });
    } catch (RejectedExecutionException closed) {
      log.info("messaging.handler-closed node={} {}", self, envelope.describe());
    }
  }

  private static String describe(Throwable ex) {
    Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
