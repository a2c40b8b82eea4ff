package io.clustermd.messaging.core;

import static io.clustermd.dlm.core.LockFlag.EXPEDITE;
import static io.clustermd.dlm.core.LockFlag.NOQUEUE;
import static io.clustermd.dlm.core.LockMode.CR;
import static io.clustermd.dlm.core.LockMode.EX;
import static io.clustermd.dlm.core.LockMode.NL;
import static io.clustermd.dlm.core.LockMode.PW;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.message.LvbFormat;
import io.clustermd.messaging.message.Receipt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Join (mdcluster.md §5.1 steps 5–6): create the locks at NL, and take ack CR while holding token
 * EX, so that no broadcast is in flight while this node starts to count as a receiver (0579782a4e8b:
 * a node that took ack CR between a sender's message write and its ack EX blocked that sender).
 * A step that fails undoes the join: every lock created so far is unlocked, then the join fails.
 */
public final class JoinMachine extends Sequence {

  private enum Op {
    REQUEST,
    CONVERT
  }

  /** The steps (a table, CONVENTIONS.md §4). */
  public enum Step {
    MESSAGE(Op.REQUEST, CommLock.MESSAGE, NL, LockFlags.of(EXPEDITE), "§5.1 step 5: create message (NL, LVB)"),
    TOKEN(Op.REQUEST, CommLock.TOKEN, NL, LockFlags.of(EXPEDITE), "§5.1 step 5: create token (NL)"),
    NO_NEW_DEV(Op.REQUEST, CommLock.NO_NEW_DEV, NL, LockFlags.of(EXPEDITE), "§5.1 step 5: create no-new-dev (NL)"),
    RECEIPT(Op.REQUEST, CommLock.RECEIPT, PW, LockFlags.of(NOQUEUE), "take this slot's receipt PW (refused if another node uses the slot)"),
    RECEIPT_PUBLISH(Op.CONVERT, CommLock.RECEIPT, PW, LockFlags.NONE, "publish the receipt: joined, not ready"),
    TOKEN_EX(Op.CONVERT, CommLock.TOKEN, EX, LockFlags.NONE, "§5.1 step 6: token EX (no broadcast in flight)"),
    ACK(Op.REQUEST, CommLock.ACK, NL, LockFlags.of(EXPEDITE), "§5.1 step 6: create ack (NL, blocking callback)"),
    ACK_CR(Op.CONVERT, CommLock.ACK, CR, LockFlags.NONE, "§5.1 step 6: ack CR"),
    TOKEN_NL(Op.CONVERT, CommLock.TOKEN, NL, LockFlags.NONE, "§5.1 step 6: token NL"),
    NO_NEW_DEV_CR(Op.CONVERT, CommLock.NO_NEW_DEV, CR, LockFlags.NONE, "§5.1 step 6: no-new-dev CR"),
    UNDO(null, null, null, null, "undo the join: unlock what was created"),
    DONE(null, null, null, null, "done");

    final Op op;
    final CommLock lock;
    final LockMode mode;
    final LockFlags flags;
    final String why;

    Step(Op op, CommLock lock, LockMode mode, LockFlags flags, String why) {
      this.op = op;
      this.lock = lock;
      this.mode = mode;
      this.flags = flags;
      this.why = why;
    }
  }

  private static final Step[] STEPS = Step.values();

  private final MdSlot self;
  private final LvbFormat format;
  private final List<CommLock> created = new ArrayList<>(5);
  private final Deque<CommLock> toUnlock = new ArrayDeque<>(5);
  private Step step;
  private CommFailure failure;

  public JoinMachine(MdSlot self, LvbFormat format, CommOptions options) {
    super(options);
    this.self = self;
    this.format = format;
  }

  public List<CommEffect> start(long now) {
    return List.of(go(Step.MESSAGE, now));
  }

  private CommEffect go(Step next, long now) {
    step = next;
    if (next.op == Op.REQUEST) {
      return request(next.lock, next.mode, next.flags, next.why, now);
    }
    if (next == Step.RECEIPT_PUBLISH) {
      Receipt joined = new Receipt(self, 0, false);
      return convert(next.lock, next.mode, next.flags, format.encode(joined), joined.toString(), next.why, now,
          options.lockMillisMax());
    }
    return convert(next.lock, next.mode, next.flags, next.why, now);
  }

  @Override
  protected List<CommEffect> onGranted(CommInput.LockDone d, long now) {
    if (step == Step.UNDO) {
      return undoNext(now);
    }
    if (step.op == Op.REQUEST) {
      created.add(step.lock);
    }
    Step next = STEPS[step.ordinal() + 1];
    if (next == Step.UNDO) {
      step = Step.DONE;
      return List.of();
    }
    return List.of(go(next, now));
  }

  @Override
  protected List<CommEffect> onFailed(LockFailure f, long now) {
    if (step == Step.UNDO) {
      return undoNext(now); // FORCEUNLOCK cannot be refused by a DLM; go on with the others
    }
    // A request that was cancelled or refused leaves no lock behind; a conversion leaves the lock.
    String description =
        step == Step.RECEIPT && f.status() == DlmStatus.EAGAIN
            ? "join failed: " + CommLock.receipt(self) + " is held PW by another node: " + self + " is in use"
            : "join failed at " + step.why + ": " + f.description();
    failure = CommFailure.of(CommFailure.Kind.LOCK_FAILED, description);
    toUnlock.clear();
    for (int i = created.size() - 1; i >= 0; i--) {
      toUnlock.add(created.get(i));
    }
    step = Step.UNDO;
    List<CommEffect> out = new ArrayList<>(2);
    out.add(new CommEffect.Note("messaging.join-failed", description));
    out.addAll(undoNext(now));
    return out;
  }

  private List<CommEffect> undoNext(long now) {
    CommLock next = toUnlock.poll();
    if (next == null) {
      step = Step.DONE;
      return List.of();
    }
    return List.of(unlock(next, "undo join: unlock " + next, now));
  }

  public Step step() {
    return step;
  }

  /** Null when the join succeeded. */
  public CommFailure failure() {
    return failure;
  }

  @Override
  boolean done() {
    return step == Step.DONE;
  }
}
