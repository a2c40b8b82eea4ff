package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.ALTCW;
import static io.clustermd.dlm.core.LockFlag.ALTPR;
import static io.clustermd.dlm.core.LockFlag.CONVDEADLK;
import static io.clustermd.dlm.core.LockFlag.EXPEDITE;
import static io.clustermd.dlm.core.LockFlag.NODLCKWT;
import static io.clustermd.dlm.core.LockFlag.NOORDER;
import static io.clustermd.dlm.core.LockFlag.NOQUEUE;
import static io.clustermd.dlm.core.LockFlag.QUECVT;

import io.clustermd.dlm.core.Effect.Blocking;
import io.clustermd.dlm.core.Effect.Completion;
import java.util.ArrayList;
import java.util.List;

/**
 * fs/dlm's granting and blocking-callback rules for one resource (dlm.md §4, §5.2, §7.1), kept
 * in the kernel's evaluation order. Modes are compared as the kernel compares them: as their
 * numeric values, with {@link #IV} (-1) for "none".
 */
final class GrantRules {

  /** The kernel's DLM_LOCK_IV: no mode. */
  static final int IV = -1;

  /** The outcome of {@code can_be_granted}. */
  enum Verdict {
    GRANT,
    NO,
    /** A conversion deadlock was detected and the lock has no CONVDEADLK (§7.1). */
    DEADLOCK
  }

  private final LockResource r;

  GrantRules(LockResource r) {
    this.r = r;
  }

  // ---------------------------------------------------------------------------------------------
  // dlm.md §4.1: _can_be_granted, in order
  // ---------------------------------------------------------------------------------------------

  /**
   * @param now true for a just-arrived request or conversion, false for a queued one
   * @param recover true for the post-recovery regrant, where conversions ignore queue order
   */
  boolean canBeGrantedIgnoringAlternates(Lock lkb, boolean now, boolean recover) {
    boolean conv = lkb.isConversion();
    // 1. EXPEDITE (only possible for a new NL request).
    if (lkb.has(EXPEDITE)) {
      return true;
    }
    // 2-3. The requested mode must be compatible with every held mode, granted or converting.
    if (queueConflict(r.grantQueue, lkb) || queueConflict(r.convertQueue, lkb)) {
      return false;
    }
    // 4. After recovery conversions are regranted regardless of order.
    if (conv && recover) {
      return true;
    }
    // 5-6. An arriving conversion is granted in place; with QUECVT only behind an empty queue.
    if (now && conv) {
      return !lkb.has(QUECVT) || r.convertQueue.isEmpty();
    }
    // 7. NOORDER ignores queue position.
    if (lkb.has(NOORDER)) {
      return true;
    }
    // 8. A queued conversion at the head of the convert queue.
    if (!now && conv) {
      return first(r.convertQueue) == lkb;
    }
    // 9. An arriving request, with nothing queued at all.
    if (now) {
      return r.convertQueue.isEmpty() && r.waitQueue.isEmpty();
    }
    // 10. A queued request at the head of the wait queue, with no conversion queued.
    return r.convertQueue.isEmpty() && first(r.waitQueue) == lkb;
  }

  private static boolean queueConflict(List<Lock> queue, Lock lkb) {
    for (int i = 0, n = queue.size(); i < n; i++) {
      Lock other = queue.get(i);
      if (other != lkb && !ModeTables.compatible(other.grmode, lkb.rqmode)) {
        return true;
      }
    }
    return false;
  }

  private static Lock first(List<Lock> queue) {
    return queue.isEmpty() ? null : queue.get(0);
  }

  // ---------------------------------------------------------------------------------------------
  // dlm.md §4.2: can_be_granted (alternate modes and conversion deadlock)
  // ---------------------------------------------------------------------------------------------

  /**
   * {@code can_be_granted}. May change the lock: CONVDEADLK demotes its granted mode to NL (and
   * sets DEMOTED, returning NO); a granted alternate mode replaces its requested mode (and sets
   * ALTMODE).
   */
  Verdict canBeGranted(Lock lkb, boolean now, boolean recover) {
    LockMode rqmode = lkb.rqmode;
    if (canBeGrantedIgnoringAlternates(lkb, now, recover)) {
      return Verdict.GRANT;
    }
    if (lkb.isConversion() && !lkb.has(NOQUEUE) && conversionDeadlock(lkb)) {
      if (lkb.has(CONVDEADLK)) {
        lkb.grmode = LockMode.NL;
        lkb.sbflags |= SbFlag.DEMOTED.bit();
        return Verdict.NO;
      }
      return Verdict.DEADLOCK;
    }
    LockMode alt = alternateMode(lkb);
    if (alt != null) {
      lkb.rqmode = alt;
      if (canBeGrantedIgnoringAlternates(lkb, now, false)) {
        lkb.sbflags |= SbFlag.ALTMODE.bit();
        return Verdict.GRANT;
      }
      lkb.rqmode = rqmode;
    }
    return Verdict.NO;
  }

  /** ALTPR wins over ALTCW; neither applies when it would not change the mode (§4.2). */
  private static LockMode alternateMode(Lock lkb) {
    if (lkb.rqmode != LockMode.PR && lkb.has(ALTPR)) {
      return LockMode.PR;
    }
    if (lkb.rqmode != LockMode.CW && lkb.has(ALTCW)) {
      return LockMode.CW;
    }
    return null;
  }

  /**
   * Whether a queued lock could be granted by a re-evaluation now, in its own or an alternate
   * mode, without changing anything; used by the invariant check.
   */
  boolean grantableWithoutSideEffects(Lock lkb) {
    if (canBeGrantedIgnoringAlternates(lkb, false, false)) {
      return true;
    }
    LockMode alt = alternateMode(lkb);
    if (alt == null) {
      return false;
    }
    LockMode rqmode = lkb.rqmode;
    lkb.rqmode = alt;
    try {
      return canBeGrantedIgnoringAlternates(lkb, false, false);
    } finally {
      lkb.rqmode = rqmode;
    }
  }

  /**
   * dlm.md §7.1, {@code conversion_deadlock_detect}: a lock ahead of {@code lkb2} whose requested
   * mode {@code lkb2}'s granted mode blocks, or one behind it that blocks it mutually.
   */
  boolean conversionDeadlock(Lock lkb2) {
    boolean lkb2IsAhead = false;
    for (Lock lkb1 : r.convertQueue) {
      if (lkb1 == lkb2) {
        lkb2IsAhead = true;
        continue;
      }
      boolean lkb2BlocksLkb1 = !ModeTables.compatible(lkb2.grmode, lkb1.rqmode);
      if (!lkb2IsAhead) {
        if (lkb2BlocksLkb1) {
          return true;
        }
      } else if (lkb2BlocksLkb1 && !ModeTables.compatible(lkb1.grmode, lkb2.rqmode)) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // dlm.md §4.3: grant_pending_locks and cascading
  // ---------------------------------------------------------------------------------------------

  void grantPendingLocks(List<Effect> out, boolean recover) {
    if (r.convertQueue.isEmpty() && r.waitQueue.isEmpty()) {
      return; // nothing is blocked, so nobody is blocking: the common, uncontended case
    }
    boolean[] cw = {false};
    int high = grantPendingConvert(IV, cw, out, recover);
    high = grantPendingWait(high, cw, out);
    if (high == IV) {
      return;
    }
    // Step 4: holders that still block someone get a bast for the highest blocked mode.
    for (int i = 0, n = r.grantQueue.size(); i < n; i++) {
      Lock gr = r.grantQueue.get(i);
      if (gr.wantsBlockingCallbacks() && lockRequiresBast(gr, high, cw[0])) {
        int mode =
            (cw[0] && high == LockMode.PR.value() && gr.grmode == LockMode.PR)
                ? LockMode.CW.value()
                : high;
        out.add(new Blocking(gr.id(), LockMode.ofValue(mode), Blocking.Reason.STILL_BLOCKING));
        gr.highbast = high;
      }
    }
  }

  /**
   * Step 1, {@code grant_pending_convert}: walk the convert queue, restarting after any grant so
   * that grants cascade, and once more after a CONVDEADLK demotion.
   *
   * @param cw set to true when a blocked conversion wants CW; may be null
   * @return the highest mode still blocked, at least {@code high}
   */
  int grantPendingConvert(int high, boolean[] cw, List<Effect> out, boolean recover) {
    boolean quit = false;
    while (true) {
      boolean grantRestart = false;
      boolean demoteRestart = false;
      int hi = IV;
      if (r.convertQueue.isEmpty()) {
        return Math.max(high, hi);
      }
      for (Lock lkb : new ArrayList<>(r.convertQueue)) {
        boolean demoted = SbFlag.isSet(lkb.sbflags, SbFlag.DEMOTED);
        Verdict v = canBeGranted(lkb, false, recover);
        if (v == Verdict.GRANT) {
          r.grant(lkb, out, Completion.Reason.GRANTED_FROM_CONVERT_QUEUE);
          grantRestart = true;
          continue;
        }
        if (!demoted && SbFlag.isSet(lkb.sbflags, SbFlag.DEMOTED)) {
          demoteRestart = true;
          continue;
        }
        if (v == Verdict.DEADLOCK) {
          // Only reachable with NODLCKWT: the lock is told to give way itself.
          if (lkb.has(NODLCKWT) && lkb.highbast < lkb.rqmode.value()) {
            out.add(new Blocking(lkb.id(), lkb.rqmode, Blocking.Reason.OWN_CONVERSION_DEADLOCKED));
            lkb.highbast = lkb.rqmode.value();
          }
          continue;
        }
        hi = Math.max(hi, lkb.rqmode.value());
        if (cw != null && lkb.rqmode == LockMode.CW) {
          cw[0] = true;
        }
      }
      if (grantRestart) {
        continue;
      }
      if (demoteRestart && !quit) {
        quit = true;
        continue;
      }
      return Math.max(high, hi);
    }
  }

  /** Step 2, {@code grant_pending_wait}: one walk; a run of compatible waiters at the head is granted. */
  private int grantPendingWait(int high, boolean[] cw, List<Effect> out) {
    if (r.waitQueue.isEmpty()) {
      return high;
    }
    for (Lock lkb : new ArrayList<>(r.waitQueue)) {
      if (canBeGranted(lkb, false, false) == Verdict.GRANT) {
        r.grant(lkb, out, Completion.Reason.GRANTED_FROM_WAIT_QUEUE);
      } else {
        high = Math.max(high, lkb.rqmode.value());
        if (lkb.rqmode == LockMode.CW) {
          cw[0] = true;
        }
      }
    }
    return high;
  }

  // ---------------------------------------------------------------------------------------------
  // dlm.md §5.2: who gets a blocking AST
  // ---------------------------------------------------------------------------------------------

  /**
   * {@code send_blocking_asts} (grant queue) or {@code send_blocking_asts_all} (grant and convert
   * queues): bast the holders that block {@code rq}'s requested mode.
   */
  void sendBlockingAsts(Lock rq, boolean alsoConvertQueue, List<Effect> out, Blocking.Reason reason) {
    sendBastQueue(r.grantQueue, rq, out, reason);
    if (alsoConvertQueue) {
      sendBastQueue(r.convertQueue, rq, out, reason);
    }
  }

  private static void sendBastQueue(List<Lock> queue, Lock rq, List<Effect> out, Blocking.Reason reason) {
    for (int i = 0, n = queue.size(); i < n; i++) {
      Lock gr = queue.get(i);
      if (gr != rq && gr.wantsBlockingCallbacks() && modesRequireBast(gr, rq.rqmode)) {
        out.add(new Blocking(gr.id(), rq.rqmode, reason));
        gr.highbast = rq.rqmode.value();
      }
    }
  }

  /** {@code modes_require_bast}: PR and CW block each other although neither is "higher". */
  private static boolean modesRequireBast(Lock gr, LockMode requested) {
    if ((gr.grmode == LockMode.PR && requested == LockMode.CW)
        || (gr.grmode == LockMode.CW && requested == LockMode.PR)) {
      return gr.highbast < LockMode.EX.value();
    }
    return gr.highbast < requested.value() && !ModeTables.compatible(gr.grmode, requested);
  }

  /**
   * {@code lock_requires_bast}, for the re-evaluation pass. Only a PR holder facing a blocked CW
   * request is special-cased (dlm.md §5.2); a CW holder facing {@code high} = PR goes through the
   * ordinary "conflicts with high and highbast < high" rule, so it is not basted again once told.
   */
  private static boolean lockRequiresBast(Lock gr, int high, boolean cw) {
    if (gr.grmode == LockMode.PR && cw) {
      return gr.highbast < LockMode.EX.value();
    }
    return gr.highbast < high && !ModeTables.compatible(gr.grmode, LockMode.ofValue(high));
  }
}
