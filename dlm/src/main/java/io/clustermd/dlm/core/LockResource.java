package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.CANCEL;
import static io.clustermd.dlm.core.LockFlag.CONVERT;
import static io.clustermd.dlm.core.LockFlag.EXPEDITE;
import static io.clustermd.dlm.core.LockFlag.HEADQUE;
import static io.clustermd.dlm.core.LockFlag.NODLCKWT;
import static io.clustermd.dlm.core.LockFlag.NOQUEUE;
import static io.clustermd.dlm.core.LockFlag.NOQUEUEBAST;
import static io.clustermd.dlm.core.LockFlag.QUECVT;

import io.clustermd.dlm.core.Effect.Blocking;
import io.clustermd.dlm.core.Effect.Completion;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One lock resource as its master keeps it (fs/dlm's {@code rsb}): the grant, convert and wait
 * queues, the lock value block, and every single-resource rule of dlm.md §1–§8. Pure and
 * single-threaded: each operation takes its arguments and returns the effects to carry out.
 *
 * <p>The granting rules live in {@link GrantRules}; the LVB rules in {@link LvbRules}. This class
 * sequences them exactly as {@code do_request}, {@code do_convert}, {@code do_unlock} and
 * {@code do_cancel} do.
 */
public final class LockResource {

  private final ResourceName name;
  private final int lvbLength;

  /** Holders with nothing pending, most recently granted first (as {@code lkb_add_ordered}). */
  final List<Lock> grantQueue = new ArrayList<>(4);
  /** Holders waiting to convert, FIFO (HEADQUE inserts at the head). */
  final List<Lock> convertQueue = new ArrayList<>(2);
  /** New requests, FIFO (HEADQUE inserts at the head). */
  final List<Lock> waitQueue = new ArrayList<>(2);

  private final Map<LockId, Lock> locks = new HashMap<>(8);
  final LvbRules lvb;
  private final GrantRules rules;
  private long arrivals;

  /**
   * Something may have become grantable without a re-evaluation yet: a CONVDEADLK demotion that
   * ended queued (fs/dlm re-evaluates only on a release), or recovery purged or restored locks
   * (the regrant comes at resume). The invariant "nothing grantable is left queued" is checked
   * only when this is false.
   */
  private boolean reevaluationPending;

  /**
   * Locks queued by an immediate evaluation ({@code now}) since the last re-evaluation. fs/dlm
   * queues with the {@code now} rules and re-evaluates only on a release, with the queued rules,
   * which can say yes where {@code now} said no: a HEADQUE lock now first in its queue, a
   * QUECVT|NOORDER conversion (QUECVT is judged before NOORDER only when {@code now}), a
   * CONVDEADLK-demoted conversion whose retry does not try its alternate mode. Such a lock may sit
   * grantable until the next release, so the invariant skips it until then.
   */
  private final Set<Lock> queuedSinceReevaluation = Collections.newSetFromMap(new IdentityHashMap<>());

  public LockResource(ResourceName name, int lvbLength) {
    if (lvbLength < 0 || lvbLength % 8 != 0) {
      throw new IllegalArgumentException(
          "LVB length " + lvbLength + " must be a non-negative multiple of 8");
    }
    this.name = name;
    this.lvbLength = lvbLength;
    this.lvb = new LvbRules(lvbLength);
    this.rules = new GrantRules(this);
  }

  public ResourceName name() {
    return name;
  }

  public int lvbLength() {
    return lvbLength;
  }

  /** True when no lock of any node remains; the shell may then drop the resource and its LVB. */
  public boolean isUnused() {
    return locks.isEmpty();
  }

  /** The lock with this id, or null when it is unknown or ended. */
  public Lock lock(LockId id) {
    return locks.get(id);
  }

  public List<Lock> grantQueue() {
    return Collections.unmodifiableList(grantQueue);
  }

  public List<Lock> convertQueue() {
    return Collections.unmodifiableList(convertQueue);
  }

  public List<Lock> waitQueue() {
    return Collections.unmodifiableList(waitQueue);
  }

  /** A copy of the resource's LVB, or null when it has none (never written, or freed). */
  public byte[] lvbValue() {
    return lvb.value();
  }

  /** True while the LVB is flagged VALNOTVALID (dlm.md §8). */
  public boolean lvbNotValid() {
    return lvb.notValid();
  }

  /** The LVB's write sequence number ({@code res_lvbseq}). */
  public int lvbSequence() {
    return lvb.sequence();
  }

  // ---------------------------------------------------------------------------------------------
  // Operations
  // ---------------------------------------------------------------------------------------------

  /**
   * A new request (dlm.md §3.2, {@code do_request}).
   *
   * @param lvbIn the caller's LVB buffer contents, or null when it gave none
   * @param wantsBlockingCallbacks whether the caller registered a blocking callback
   */
  public Step request(
      LockId id, LockMode mode, LockFlags flags, byte[] lvbIn, boolean wantsBlockingCallbacks) {
    if (flags.has(CONVERT)) {
      return reject(DlmError.EINVAL, "CONVERT on a new request; use convert()");
    }
    String bad = ArgumentRules.lockArgs(mode, flags, lvbIn != null);
    if (bad == null) {
      bad = checkLvbLength(lvbIn);
    }
    if (bad != null) {
      return reject(DlmError.EINVAL, bad);
    }
    if (locks.containsKey(id)) {
      return reject(DlmError.EINVAL, "lock id " + id + " is already in use on " + name);
    }
    Lock lkb = new Lock(id, wantsBlockingCallbacks, ++arrivals);
    lkb.exflags = flags;
    lkb.sbflags = 0;
    lkb.rqmode = mode;
    lkb.lvb = lvbIn == null ? null : lvbIn.clone();
    locks.put(id, lkb);

    List<Effect> out = new ArrayList<>(2);
    if (rules.canBeGranted(lkb, true, false) == GrantRules.Verdict.GRANT) {
      boolean expedite = flags.has(EXPEDITE);
      grant(lkb, out, expedite ? Completion.Reason.GRANTED_EXPEDITE : Completion.Reason.GRANTED_AT_ONCE);
    } else if (!flags.has(NOQUEUE)) {
      enqueue(waitQueue, lkb, LockStatus.WAITING);
      rules.sendBlockingAsts(lkb, false, out, Blocking.Reason.QUEUED_BEHIND);
    } else {
      out.add(completion(lkb, DlmStatus.EAGAIN, null, Completion.Reason.REFUSED_NOQUEUE));
      if (flags.has(NOQUEUEBAST)) {
        rules.sendBlockingAsts(lkb, true, out, Blocking.Reason.NOQUEUE_REFUSED_BY);
      }
      end(lkb);
    }
    return new Step.Accepted(out);
  }

  /** A conversion of a granted lock: up, down or sideways (dlm.md §3.3, {@code do_convert}). */
  public Step convert(LockId id, LockMode mode, LockFlags flags, byte[] lvbIn) {
    LockFlags f = flags.with(CONVERT);
    String bad = ArgumentRules.lockArgs(mode, f, lvbIn != null || hasLvb(id));
    if (bad == null) {
      bad = checkLvbLength(lvbIn);
    }
    if (bad != null) {
      return reject(DlmError.EINVAL, bad);
    }
    Lock lkb = locks.get(id);
    if (lkb == null) {
      return reject(DlmError.ENOENT, "no lock " + id + " on " + name);
    }
    if (lkb.status != LockStatus.GRANTED) {
      return reject(
          DlmError.EBUSY, "lock " + id + " is " + lkb.status + "; only a granted lock can convert");
    }
    if (f.has(QUECVT) && !ModeTables.quecvtAllowed(lkb.grmode, mode)) {
      return reject(
          DlmError.EINVAL,
          "QUECVT is not allowed for " + lkb.grmode + "->" + mode + " (upward conversions only)");
    }
    lkb.exflags = f;
    lkb.sbflags = 0;
    lkb.rqmode = mode;
    if (lvbIn != null) {
      lkb.lvb = lvbIn.clone();
    }

    List<Effect> out = new ArrayList<>(2);
    GrantRules.Verdict verdict = rules.canBeGranted(lkb, true, false);
    if (verdict == GrantRules.Verdict.GRANT) {
      grant(lkb, out, Completion.Reason.GRANTED_AT_ONCE);
      grantPendingLocks(out, false);
      return new Step.Accepted(out);
    }
    if (verdict == GrantRules.Verdict.DEADLOCK && !f.has(NODLCKWT)) {
      // The lock stays granted at its old mode (dlm.md §3.3 step 2).
      lkb.rqmode = null;
      out.add(completion(lkb, DlmStatus.EDEADLK, null, Completion.Reason.REFUSED_CONVERSION_DEADLOCK));
      return new Step.Accepted(out);
    }
    if (SbFlag.isSet(lkb.sbflags, SbFlag.DEMOTED)) {
      // CONVDEADLK demoted us to NL: that may unblock other conversions, and then us (§3.3 step 3).
      rules.grantPendingConvert(GrantRules.IV, null, out, false);
      if (rules.canBeGrantedIgnoringAlternates(lkb, true, false)) {
        grant(lkb, out, Completion.Reason.GRANTED_AT_ONCE);
        grantPendingLocks(out, false);
        return new Step.Accepted(out);
      }
      // Our held mode went down to NL but fs/dlm re-evaluates only the convert queue here, so a
      // NOORDER waiter we blocked may now be grantable until the next release.
      reevaluationPending = true;
    }
    if (!f.has(NOQUEUE)) {
      grantQueue.remove(lkb);
      enqueue(convertQueue, lkb, LockStatus.CONVERT);
      rules.sendBlockingAsts(lkb, false, out, Blocking.Reason.QUEUED_BEHIND);
    } else {
      out.add(completion(lkb, DlmStatus.EAGAIN, null, Completion.Reason.REFUSED_NOQUEUE));
      if (f.has(NOQUEUEBAST)) {
        rules.sendBlockingAsts(lkb, true, out, Blocking.Reason.NOQUEUE_REFUSED_BY);
      }
      lkb.rqmode = null;
    }
    return new Step.Accepted(out);
  }

  /**
   * Unlock, or cancel when {@code flags} has CANCEL (dlm.md §3.4, {@code do_unlock},
   * {@code do_cancel}). Unlock works on a lock in any queue.
   *
   * @param lvbIn the holder's current LVB contents (written when it holds PW/EX with VALBLK), or null
   */
  public Step unlock(LockId id, LockFlags flags, byte[] lvbIn) {
    String bad = ArgumentRules.unlockArgs(flags);
    if (bad == null) {
      bad = checkLvbLength(lvbIn);
    }
    if (bad != null) {
      return reject(DlmError.EINVAL, bad);
    }
    Lock lkb = locks.get(id);
    if (lkb == null) {
      return reject(DlmError.ENOENT, "no lock " + id + " on " + name);
    }
    if (flags.has(CANCEL)) {
      return cancel(lkb, flags);
    }
    // An unlock adds its flags to the lock's ("an overlapping op shouldn't blow away exflags").
    if (flags.bits() != 0) {
      lkb.exflags = LockFlags.ofBits(lkb.exflags.bits() | flags.bits());
    }
    lkb.sbflags = 0;
    if (lvbIn != null) {
      lkb.lvb = lvbIn.clone();
    }
    List<Effect> out = new ArrayList<>(2);
    lvb.onUnlock(lkb);
    removeFromQueue(lkb);
    lkb.grmode = null;
    lkb.rqmode = null;
    out.add(completion(lkb, DlmStatus.EUNLOCK, null, Completion.Reason.UNLOCKED));
    end(lkb);
    grantPendingLocks(out, false);
    return new Step.Accepted(out);
  }

  /** Cancel the pending request or conversion (dlm.md §3.4); shorthand for unlock with CANCEL. */
  public Step cancel(LockId id) {
    return unlock(id, LockFlags.of(CANCEL), null);
  }

  private Step cancel(Lock lkb, LockFlags flags) {
    if (lkb.status == LockStatus.GRANTED) {
      // Nothing to cancel: the cancel lost to a grant. No completion at all (dlm.md §3.4, §13.1).
      return new Step.Accepted(List.of());
    }
    lkb.exflags = LockFlags.ofBits(lkb.exflags.bits() | flags.bits());
    lkb.sbflags = 0;
    lkb.rqmode = null;
    List<Effect> out = new ArrayList<>(2);
    if (lkb.status == LockStatus.CONVERT) {
      convertQueue.remove(lkb);
      addGranted(lkb);
      out.add(completion(lkb, DlmStatus.ECANCEL, null, Completion.Reason.CANCELLED));
    } else {
      waitQueue.remove(lkb);
      lkb.grmode = null;
      out.add(completion(lkb, DlmStatus.ECANCEL, null, Completion.Reason.CANCELLED));
      end(lkb);
    }
    grantPendingLocks(out, false);
    return new Step.Accepted(out);
  }

  /**
   * Re-evaluate both queues after a release (dlm.md §4.3, {@code grant_pending_locks}); with
   * {@code recover}, queued conversions ignore queue order (post-recovery regrant, §4.1 step 4).
   */
  public List<Effect> grantPending(boolean recover) {
    List<Effect> out = new ArrayList<>(4);
    grantPendingLocks(out, recover);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Recovery (dlm.md §10.3 step 5)
  // ---------------------------------------------------------------------------------------------

  /**
   * A surviving holder's lock as it re-creates it on a new master (fs/dlm's RCOM_LOCK).
   *
   * @param grantedMode null for a waiting request
   * @param requestedMode null for a granted lock with nothing queued
   */
  public record LockSnapshot(
      LockId id,
      LockMode grantedMode,
      LockMode requestedMode,
      LockFlags flags,
      byte[] lvb,
      int lvbSequence,
      boolean wantsBlockingCallbacks) {}

  /**
   * Removes a departed node's lock without any completion: its locks simply vanish (§10.3 5a). A
   * departed PW/EX holder with VALBLK may have changed the value without writing it back, so the
   * LVB becomes VALNOTVALID (§8, recovery case 1).
   *
   * @return true when the lock existed
   */
  public boolean purge(LockId id) {
    Lock lkb = locks.get(id);
    if (lkb == null) {
      return false;
    }
    if (lkb.grmode != null && lkb.grmode.value() >= LockMode.PW.value() && lkb.has(LockFlag.VALBLK)) {
      lvb.invalidate();
    }
    removeFromQueue(lkb);
    lkb.grmode = null;
    lkb.rqmode = null;
    lkb.status = LockStatus.ENDED;
    locks.remove(id);
    reevaluationPending = true;
    // The LVB is not freed here even if this was the last lock: survivors may re-master it.
    return true;
  }

  /**
   * Re-creates a surviving holder's lock on this (new) master, on the queue its state implies
   * (§10.3 5c). Queue order is not preserved across recovery, which is why the regrant that
   * follows ignores it for conversions.
   */
  public void restore(LockSnapshot s) {
    if (locks.containsKey(s.id())) {
      throw new IllegalStateException("lock " + s.id() + " restored twice on " + name);
    }
    Lock lkb = new Lock(s.id(), s.wantsBlockingCallbacks(), ++arrivals);
    lkb.exflags = s.flags();
    lkb.grmode = s.grantedMode();
    lkb.rqmode = s.requestedMode();
    lkb.lvb = s.lvb() == null ? null : s.lvb().clone();
    lkb.lvbSeq = s.lvbSequence();
    locks.put(s.id(), lkb);
    reevaluationPending = true;
    if (lkb.grmode == null) {
      lkb.status = LockStatus.WAITING;
      waitQueue.add(lkb);
    } else if (lkb.rqmode != null) {
      lkb.status = LockStatus.CONVERT;
      convertQueue.add(lkb);
    } else {
      addGranted(lkb);
    }
  }

  /**
   * Rebuilds the LVB on a new master from the restored locks (§8, recovery case 2): a VALBLK
   * holder above CR has the current value; otherwise the NL/CR copy with the highest sequence is
   * the best guess and is flagged VALNOTVALID; with no VALBLK lock nothing is set.
   */
  public void recoverLvbFromHolders() {
    Lock authoritative = null;
    Lock newestWeak = null;
    for (Lock l : locks.values()) {
      if (l.lvb == null || !l.has(LockFlag.VALBLK) || l.grmode == null) {
        continue;
      }
      if (l.grmode.value() > LockMode.CR.value()) {
        authoritative = l;
        break;
      }
      if (newestWeak == null || l.lvbSeq > newestWeak.lvbSeq) {
        newestWeak = l;
      }
    }
    if (authoritative != null) {
      lvb.restore(authoritative.lvb, authoritative.lvbSeq, true);
    } else if (newestWeak != null) {
      lvb.restore(newestWeak.lvb, newestWeak.lvbSeq, false);
    }
  }

  /** The ids of every lock on this resource, in no particular order. */
  public List<LockId> lockIds() {
    return new ArrayList<>(locks.keySet());
  }

  // ---------------------------------------------------------------------------------------------
  // Mechanics shared with GrantRules
  // ---------------------------------------------------------------------------------------------

  void grantPendingLocks(List<Effect> out, boolean recover) {
    reevaluationPending = false;
    queuedSinceReevaluation.clear();
    rules.grantPendingLocks(out, recover);
  }

  /** {@code grant_lock}: LVB per §1.3, move to the grant queue, completion with status 0. */
  void grant(Lock lkb, List<Effect> out, Completion.Reason reason) {
    byte[] read = lvb.onGrant(lkb);
    if (lkb.status != LockStatus.GRANTED || lkb.grmode != lkb.rqmode) {
      removeFromQueue(lkb);
      lkb.grmode = lkb.rqmode;
      addGranted(lkb);
    }
    lkb.rqmode = null;
    lkb.highbast = 0;
    out.add(completion(lkb, DlmStatus.OK, read, reason));
  }

  private void addGranted(Lock lkb) {
    lkb.status = LockStatus.GRANTED;
    // lkb_add_ordered inserts before the first entry whose rqmode is below the new grmode; granted
    // locks have rqmode IV, so a new holder goes to the head.
    grantQueue.add(0, lkb);
  }

  private void enqueue(List<Lock> queue, Lock lkb, LockStatus status) {
    lkb.status = status;
    if (lkb.has(HEADQUE)) {
      queue.add(0, lkb);
    } else {
      queue.add(lkb);
    }
    queuedSinceReevaluation.add(lkb);
  }

  private void removeFromQueue(Lock lkb) {
    switch (lkb.status) {
      case GRANTED -> grantQueue.remove(lkb);
      case CONVERT -> convertQueue.remove(lkb);
      case WAITING -> waitQueue.remove(lkb);
      case NEW -> {}
      case ENDED -> throw new IllegalStateException(lkb + " has already ended");
    }
  }

  private void end(Lock lkb) {
    lkb.status = LockStatus.ENDED;
    locks.remove(lkb.id());
    queuedSinceReevaluation.remove(lkb);
    if (locks.isEmpty()) {
      // The LVB lives only as long as some lock does (dlm.md §8, "Lifetime").
      lvb.free();
    }
  }

  private static Completion completion(
      Lock lkb, DlmStatus status, byte[] lvbRead, Completion.Reason reason) {
    return new Completion(lkb.id(), status, lkb.grmode, lkb.sbflags, lvbRead, reason);
  }

  private boolean hasLvb(LockId id) {
    Lock lkb = locks.get(id);
    return lkb != null && lkb.lvb != null;
  }

  private String checkLvbLength(byte[] lvbIn) {
    if (lvbIn != null && lvbIn.length != lvbLength) {
      return "LVB buffer is " + lvbIn.length + " bytes; this lockspace's LVB length is " + lvbLength;
    }
    return null;
  }

  private static Step reject(DlmError error, String reason) {
    return new Step.Rejected(error, reason);
  }

  // ---------------------------------------------------------------------------------------------
  // Invariants
  // ---------------------------------------------------------------------------------------------

  /**
   * Always-on invariants (CONVENTIONS.md §7): queues agree with lock states; every held mode is
   * compatible with every other; and, unless a HEADQUE insertion is awaiting the next release,
   * no queued lock could be granted now.
   *
   * @throws IllegalStateException naming the broken invariant
   */
  public void checkInvariants() {
    int queued = 0;
    for (Lock l : grantQueue) {
      require(l.status == LockStatus.GRANTED && l.grmode != null && l.rqmode == null, "grant queue", l);
      queued++;
    }
    for (Lock l : convertQueue) {
      require(l.status == LockStatus.CONVERT && l.grmode != null && l.rqmode != null, "convert queue", l);
      queued++;
    }
    for (Lock l : waitQueue) {
      require(l.status == LockStatus.WAITING && l.grmode == null && l.rqmode != null, "wait queue", l);
      queued++;
    }
    require(queued == locks.size(), "every known lock is on exactly one queue (" + queued + " vs " + locks.size() + ")", null);
    List<Lock> holders = new ArrayList<>(grantQueue);
    holders.addAll(convertQueue);
    for (int i = 0; i < holders.size(); i++) {
      for (int j = i + 1; j < holders.size(); j++) {
        Lock a = holders.get(i);
        Lock b = holders.get(j);
        if (!ModeTables.compatible(a.grmode, b.grmode)) {
          throw new IllegalStateException(
              "invariant broken on " + name + ": held modes incompatible: " + a + " and " + b);
        }
      }
    }
    if (!reevaluationPending) {
      for (Lock l : convertQueue) {
        if (!queuedSinceReevaluation.contains(l)) {
          require(!rules.grantableWithoutSideEffects(l), "no grantable conversion left queued", l);
        }
      }
      for (Lock l : waitQueue) {
        if (!queuedSinceReevaluation.contains(l)) {
          require(!rules.grantableWithoutSideEffects(l), "no grantable request left queued", l);
        }
      }
    }
    lvb.checkInvariants();
  }

  private void require(boolean ok, String what, Lock l) {
    if (!ok) {
      throw new IllegalStateException(
          "invariant broken on " + name + ": " + what + (l == null ? "" : ": " + l));
    }
  }

  @Override
  public String toString() {
    return "resource " + name + " grant=" + grantQueue + " convert=" + convertQueue + " wait=" + waitQueue;
  }
}
