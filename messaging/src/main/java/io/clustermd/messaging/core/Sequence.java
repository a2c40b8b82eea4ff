package io.clustermd.messaging.core;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A protocol sequence that runs one lock operation at a time (every md-cluster sequence does: each
 * {@code dlm_lock_sync} waits for its AST before the next). It keeps the one operation in flight
 * and its deadline; when the deadline passes it cancels the operation, bounded by the same limit,
 * and a cancel that does not complete leaves the sequence {@link #broken()}. A sequence can also
 * wait for something else (a handler, a confirmation) until a deadline of its own.
 *
 * <p>Subclasses see three outcomes of an operation: granted ({@code OK}, or {@code EUNLOCK} for an
 * unlock), failed (another status, a synchronous refusal, or a timeout whose cancel won), and a
 * timeout whose cancel lost to the grant, which counts as granted.
 */
abstract class Sequence {

  /** How a lock operation failed. */
  enum FailureKind {
    /** It completed with a status other than the one asked for (EAGAIN, EDEADLK, …). */
    STATUS,
    /** It was not granted within its limit and the cancel won (ECANCEL). */
    TIMED_OUT,
    /** The DLM refused it synchronously; it never started. */
    REFUSED
  }

  record LockFailure(CommLock lock, FailureKind kind, DlmStatus status, String description) {}

  protected final CommOptions options;

  private CommLock waitingLock;
  private LockMode waitingMode;
  private String waitingWhat;
  private boolean waitingUnlock;
  private long lockDeadline = Long.MAX_VALUE;
  private long lockWaitMillis;
  private boolean cancelling;
  private long waitDeadline = Long.MAX_VALUE;
  private String broken;

  Sequence(CommOptions options) {
    this.options = options;
  }

  // ---------------------------------------------------------------------------------------------
  // Issuing operations
  // ---------------------------------------------------------------------------------------------

  /**
   * @param lvb written to the lock's LVB buffer before the conversion, or null
   * @param lvbContent what {@code lvb} holds, for logs
   */
  protected final CommEffect convert(
      CommLock lock, LockMode mode, LockFlags flags, byte[] lvb, String lvbContent, String why, long now, long waitMillis) {
    begin(lock, mode, why, false, now, waitMillis);
    return new CommEffect.Convert(lock, mode, withLvbFlag(lock, flags), lvb, lvbContent, why);
  }

  protected final CommEffect convert(CommLock lock, LockMode mode, LockFlags flags, String why, long now) {
    return convert(lock, mode, flags, null, null, why, now, options.lockMillisMax());
  }

  protected final CommEffect convert(CommLock lock, LockMode mode, String why, long now) {
    return convert(lock, mode, LockFlags.NONE, why, now);
  }

  protected final CommEffect request(CommLock lock, LockMode mode, LockFlags flags, String why, long now) {
    begin(lock, mode, why, false, now, options.lockMillisMax());
    return new CommEffect.Request(lock, mode, withLvbFlag(lock, flags), why);
  }

  protected final CommEffect unlock(CommLock lock, String why, long now) {
    begin(lock, null, why, true, now, options.lockMillisMax());
    return new CommEffect.Unlock(lock, why);
  }

  /** Wait for something other than a lock until {@code deadline}; then {@link #onWaitExpired}. */
  protected final void awaitUntil(long deadline) {
    waitDeadline = deadline;
  }

  protected final void stopWaiting() {
    waitDeadline = Long.MAX_VALUE;
  }

  /** The kernel converts every lock with an LVB with {@code DLM_LKF_VALBLK} (K-MC {@code lockres_init}). */
  private static LockFlags withLvbFlag(CommLock lock, LockFlags flags) {
    return lock.hasLvb() ? flags.with(LockFlag.VALBLK) : flags;
  }

  private void begin(CommLock lock, LockMode mode, String why, boolean unlock, long now, long waitMillis) {
    if (waitingLock != null) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " issues " + why + " while " + waitingWhat + " is in flight");
    }
    waitingLock = lock;
    waitingMode = mode;
    waitingWhat = why;
    waitingUnlock = unlock;
    lockWaitMillis = waitMillis;
    lockDeadline = now + waitMillis;
    cancelling = false;
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs
  // ---------------------------------------------------------------------------------------------

  /** One input for this sequence (the core routes lock completions to the sequence that waits). */
  final List<CommEffect> step(CommInput input, long now) {
    if (input instanceof CommInput.LockDone d) {
      requireWaitingOn(d.lock());
      boolean afterCancel = cancelling;
      boolean unlocking = waitingUnlock;
      String what = waitingWhat;
      long limit = lockWaitMillis;
      clearWaiting();
      DlmStatus expected = unlocking ? DlmStatus.EUNLOCK : DlmStatus.OK;
      if (d.status() == expected) {
        return onGranted(d, now);
      }
      if (afterCancel && d.status() == DlmStatus.ECANCEL) {
        return onFailed(
            new LockFailure(d.lock(), FailureKind.TIMED_OUT, d.status(), what + " not granted within " + limit + " ms"),
            now);
      }
      return onFailed(
          new LockFailure(d.lock(), FailureKind.STATUS, d.status(), what + " completed with " + d.status()), now);
    }
    if (input instanceof CommInput.LockRefused r) {
      requireWaitingOn(r.lock());
      String what = waitingWhat;
      clearWaiting();
      return onFailed(new LockFailure(r.lock(), FailureKind.REFUSED, null, what + " refused: " + r.reason()), now);
    }
    if (input instanceof CommInput.Tick) {
      return tick(now);
    }
    return onInput(input, now);
  }

  private List<CommEffect> tick(long now) {
    List<CommEffect> out = new ArrayList<>(2);
    if (waitingLock != null && now >= lockDeadline) {
      if (!cancelling) {
        cancelling = true;
        lockDeadline = now + options.lockMillisMax();
        out.add(new CommEffect.Note("messaging.timeout", waitingWhat + " not granted within " + lockWaitMillis + " ms; cancelling"));
        out.add(new CommEffect.Cancel(waitingLock, waitingWhat + " timed out"));
      } else if (broken == null) {
        broken =
            "the cancel of " + waitingWhat + " did not complete within " + options.lockMillisMax()
                + " ms: " + waitingLock + " is in an unknown state";
      }
    }
    if (now >= waitDeadline) {
      waitDeadline = Long.MAX_VALUE;
      out.addAll(onWaitExpired(now));
    }
    return out;
  }

  private void requireWaitingOn(CommLock lock) {
    if (waitingLock != lock) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " got a completion for " + lock + " but waits on " + waitingLock);
    }
  }

  private void clearWaiting() {
    waitingLock = null;
    waitingMode = null;
    waitingWhat = null;
    waitingUnlock = false;
    lockDeadline = Long.MAX_VALUE;
    cancelling = false;
  }

  // ---------------------------------------------------------------------------------------------
  // For subclasses
  // ---------------------------------------------------------------------------------------------

  /** The operation in flight succeeded; {@code d.mode()} is the lock's mode now. */
  protected abstract List<CommEffect> onGranted(CommInput.LockDone d, long now);

  /** The operation in flight failed; the lock keeps the mode it had before (or is gone). */
  protected abstract List<CommEffect> onFailed(LockFailure failure, long now);

  /** The sequence cannot go on: a lock is in a state the protocol cannot leave. */
  protected final void markBroken(String reason) {
    if (broken == null) {
      broken = reason;
    }
  }

  /** The deadline given to {@link #awaitUntil} passed. */
  protected List<CommEffect> onWaitExpired(long now) {
    return List.of();
  }

  /** Inputs other than lock completions and ticks. */
  protected List<CommEffect> onInput(CommInput input, long now) {
    return List.of();
  }

  // ---------------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------------

  /** The lock whose operation is in flight, or null. */
  final CommLock waitingOn() {
    return waitingLock;
  }

  /** The mode the operation in flight asks for (null for an unlock, or when nothing is in flight). */
  final LockMode waitingFor() {
    return waitingMode;
  }

  final boolean cancelling() {
    return cancelling;
  }

  /** The earliest time this sequence needs a tick. */
  final long deadline() {
    return Math.min(lockDeadline, waitDeadline);
  }

  /** Why this sequence cannot go on (a cancel that never completed), or null. */
  final String broken() {
    return broken;
  }

  /** True once the sequence has nothing more to do. */
  abstract boolean done();
}
