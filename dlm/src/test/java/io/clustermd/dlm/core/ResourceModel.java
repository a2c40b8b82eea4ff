package io.clustermd.dlm.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An independent reference model of one DLM resource, written from dlm.md §1–§8 (and, where that
 * text paraphrases, from fs/dlm/lock.c) for {@link LockResourceProperties}. It shares no code with
 * {@link LockResource}, {@link GrantRules}, {@link LvbRules} or {@link ModeTables}; only the
 * public value types ({@link LockFlag}, {@link DlmStatus}, {@link DlmError}) are reused so that
 * results can be compared.
 *
 * <p>Structurally it is the opposite of the core:
 *
 * <ul>
 *   <li>The whole resource is one immutable {@link State}: a flat list of immutable lock
 *       {@link Rec}ords plus the LVB. There are no queue objects. A lock's queue is its {@link
 *       Where} tag, and its place in the convert or wait queue is a numeric position key ({@code
 *       HEADQUE} takes a key below every other, a normal enqueue one above); a queue is recomputed
 *       on demand by filtering and sorting. Every transition builds a new {@code State}.
 *   <li>Modes are the kernel's integers with {@code IV = -1}, and the compatibility, QUECVT and LVB
 *       tables are transcribed as text straight from dlm.md §1.1–§1.3.
 *   <li>"What is grantable" is recomputed from scratch for each candidate ({@link #grantable}) as a
 *       predicate over the current state, and the convert-queue pass is a fixpoint: passes over a
 *       snapshot of the queue are repeated until one grants nothing (§4.3 step 1).
 * </ul>
 *
 * <p>Deliberate choices where dlm.md is silent or the kernel misbehaves (see the property's class
 * comment for the reasoning):
 *
 * <ul>
 *   <li>A queued conversion granted in an alternate mode equal to its granted mode (e.g. PR→EX
 *       with QUECVT|ALTPR granted as PR) moves to the grant queue with one completion; fs/dlm's
 *       {@code _grant_lock} would leave it on the convert queue.
 *   <li>A second cancel of a lock that is granted with nothing pending is a losing cancel (no
 *       effect), as dlm.md §3.4 says, not fs/dlm's EINVAL from the stale CANCEL bit in exflags.
 *   <li>NODLCKWT, PERSISTENT and remote (in-flight) operations are not modelled.
 * </ul>
 */
final class ResourceModel {

  static final int IV = -1;
  static final int NL = 0;
  static final int CR = 1;
  static final int CW = 2;
  static final int PR = 3;
  static final int PW = 4;
  static final int EX = 5;

  static final int SB_DEMOTED = 0x01;
  static final int SB_VALNOTVALID = 0x02;
  static final int SB_ALTMODE = 0x04;

  // ---------------------------------------------------------------------------------------------
  // Tables, transcribed from dlm.md
  // ---------------------------------------------------------------------------------------------

  /** dlm.md §1.1; row = granted, column = requested, both NL..EX. */
  private static final String[] COMPATIBLE = {
    "111111", // NL
    "111110", // CR
    "111000", // CW
    "110100", // PR
    "110000", // PW
    "100000", // EX
  };

  /** dlm.md §1.2: "NL→{CR,CW,PR,PW,EX}; CR→{CW,PR,PW,EX}; CW→{PR,PW,EX}; PR→{CW,PW,EX}; PW→EX". */
  private static final String[] QUECVT_TARGETS = {"12345", "2345", "345", "245", "5", ""};

  /** dlm.md §1.3; rows new, NL..EX; columns NL..EX. */
  private static final String[] LVB_TABLE = {
    "RRRRRR", // new
    "RRRRRR", // NL
    "-RRRRR", // CR
    "--RRRR", // CW
    "---RRR", // PR
    "WWWWWR", // PW
    "WWWWWW", // EX
  };

  static boolean compatible(int granted, int requested) {
    // The kernel's extra UN row and column: IV is compatible with everything.
    return granted == IV || requested == IV || COMPATIBLE[granted].charAt(requested) == '1';
  }

  static boolean quecvtAllowed(int granted, int requested) {
    return granted != IV && QUECVT_TARGETS[granted].indexOf((char) ('0' + requested)) >= 0;
  }

  static char lvbAction(int granted, int requested) {
    return LVB_TABLE[granted + 1].charAt(requested);
  }

  static boolean has(int flags, LockFlag f) {
    return (flags & f.bit()) != 0;
  }

  // ---------------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------------

  enum Where {
    /** Being evaluated as a new request; on no queue. */
    NEW,
    WAITING,
    GRANTED,
    CONVERT
  }

  /** One lock, immutable. {@code pos} orders the convert and wait queues. */
  record Rec(
      long id,
      Where where,
      long pos,
      int gr,
      int rq,
      int flags,
      int sb,
      int highbast,
      byte[] buf,
      boolean bastFn) {

    boolean has(LockFlag f) {
      return ResourceModel.has(flags, f);
    }

    /** Holds a mode (grant or convert queue). */
    boolean holds() {
      return where == Where.GRANTED || where == Where.CONVERT;
    }

    Rec at(Where w, long p) {
      return new Rec(id, w, p, gr, rq, flags, sb, highbast, buf, bastFn);
    }

    Rec modes(int g, int r) {
      return new Rec(id, where, pos, g, r, flags, sb, highbast, buf, bastFn);
    }

    Rec withSb(int s) {
      return new Rec(id, where, pos, gr, rq, flags, s, highbast, buf, bastFn);
    }

    Rec withHighbast(int h) {
      return new Rec(id, where, pos, gr, rq, flags, sb, h, buf, bastFn);
    }

    Rec withFlags(int f) {
      return new Rec(id, where, pos, gr, rq, f, sb, highbast, buf, bastFn);
    }

    Rec withBuf(byte[] b) {
      return new Rec(id, where, pos, gr, rq, flags, sb, highbast, b, bastFn);
    }

    @Override
    public String toString() {
      return id + ":" + where + " gr=" + name(gr) + " rq=" + name(rq) + " flags="
          + LockFlags.ofBits(flags) + " sb=" + sb + " hb=" + highbast;
    }
  }

  /** The resource LVB: value (null = none), VALNOTVALID, write sequence. */
  record Lvb(byte[] value, boolean notValid, int seq) {
    Lvb written(byte[] v) {
      return new Lvb(v.clone(), false, seq + 1);
    }

    Lvb invalidated() {
      return new Lvb(value, true, seq);
    }
  }

  record State(List<Rec> recs, Lvb lvb, long head, long tail) {

    static State empty() {
      return new State(List.of(), new Lvb(null, false, 0), 0, 0);
    }

    Optional<Rec> find(long id) {
      return recs.stream().filter(r -> r.id == id).findFirst();
    }

    Rec get(long id) {
      return find(id).orElseThrow();
    }

    State put(Rec r) {
      List<Rec> next = new ArrayList<>(recs.size() + 1);
      boolean replaced = false;
      for (Rec x : recs) {
        if (x.id == r.id) {
          next.add(r);
          replaced = true;
        } else {
          next.add(x);
        }
      }
      if (!replaced) {
        next.add(r);
      }
      return new State(List.copyOf(next), lvb, head, tail);
    }

    /**
     * Removes a lock; the LVB goes with the last lock (dlm.md §8 "Lifetime"): the resource then
     * has no LVB, like one never written, so VALNOTVALID goes too. (fs/dlm keeps the flag on the
     * cached rsb for toss_secs; dlm.md treats a freed LVB as absent, and so does this model.) The
     * sequence number is kept.
     */
    State drop(long id) {
      List<Rec> next = recs.stream().filter(r -> r.id != id).toList();
      Lvb l = next.isEmpty() ? new Lvb(null, false, lvb.seq) : lvb;
      return new State(next, l, head, tail);
    }

    State withLvb(Lvb l) {
      return new State(recs, l, head, tail);
    }

    /** The convert or wait queue in order, or the grant queue in creation order. */
    List<Rec> queue(Where w) {
      return recs.stream().filter(r -> r.where == w).sorted(Comparator.comparingLong(Rec::pos)).toList();
    }

    long firstOf(Where w) {
      List<Rec> q = queue(w);
      return q.isEmpty() ? 0 : q.get(0).id;
    }
  }

  sealed interface Ev {
    long id();
  }

  /** A completion: {@code mode} is the granted mode afterwards (IV when the lock is gone). */
  record Cast(long id, DlmStatus status, int mode, int sb, byte[] lvb) implements Ev {
    @Override
    public String toString() {
      return "cast " + id + " " + status + " " + name(mode) + " sb=" + sb
          + (lvb == null ? "" : " lvb=" + Arrays.toString(lvb));
    }
  }

  record Bast(long id, int mode) implements Ev {
    @Override
    public String toString() {
      return "bast " + id + " " + name(mode);
    }
  }

  /** An operation's result: {@code error} non-null means refused, state unchanged. */
  record Outcome(DlmError error, State state, List<Ev> events) {}

  static String name(int mode) {
    return mode == IV ? "IV" : LockMode.ofValue(mode).name();
  }

  // ---------------------------------------------------------------------------------------------
  // The model's public face: a current state and the four operations
  // ---------------------------------------------------------------------------------------------

  private State state = State.empty();

  State state() {
    return state;
  }

  Outcome request(long id, int mode, int flags, byte[] lvbIn, boolean bastFn) {
    return commit(doRequest(state, id, mode, flags, lvbIn, bastFn));
  }

  Outcome convert(long id, int mode, int flags, byte[] lvbIn) {
    return commit(doConvert(state, id, mode, flags, lvbIn));
  }

  Outcome unlock(long id, int flags, byte[] lvbIn) {
    return commit(doUnlock(state, id, flags, lvbIn));
  }

  Outcome grantPending(boolean recover) {
    Tx tx = new Tx(state);
    tx.grantPendingLocks(recover);
    return commit(tx.done());
  }

  private Outcome commit(Outcome o) {
    state = o.state;
    return o;
  }

  // ---------------------------------------------------------------------------------------------
  // §3.1 validation
  // ---------------------------------------------------------------------------------------------

  /** True when dlm_lock would refuse these arguments with EINVAL before looking at the lock. */
  static boolean badLockArgs(int mode, int flags, boolean convert, boolean hasBuffer) {
    return has(flags, LockFlag.CANCEL)
        || (!convert && has(flags, LockFlag.QUECVT))
        || (!convert && has(flags, LockFlag.CONVDEADLK))
        || (has(flags, LockFlag.CONVDEADLK) && has(flags, LockFlag.NOQUEUE))
        || (has(flags, LockFlag.EXPEDITE)
            && (convert || has(flags, LockFlag.QUECVT) || has(flags, LockFlag.NOQUEUE) || mode != NL))
        || (has(flags, LockFlag.VALBLK) && !hasBuffer);
  }

  private static Outcome refuse(State s, DlmError e) {
    return new Outcome(e, s, List.of());
  }

  // ---------------------------------------------------------------------------------------------
  // Operations (dlm.md §3.2–§3.4)
  // ---------------------------------------------------------------------------------------------

  static Outcome doRequest(State s, long id, int mode, int flags, byte[] lvbIn, boolean bastFn) {
    if (has(flags, LockFlag.CONVERT) || badLockArgs(mode, flags, false, lvbIn != null)) {
      return refuse(s, DlmError.EINVAL);
    }
    if (s.find(id).isPresent()) {
      return refuse(s, DlmError.EINVAL);
    }
    Tx tx = new Tx(s);
    Rec l = new Rec(id, Where.NEW, 0, IV, mode, flags, 0, 0, copy(lvbIn), bastFn);
    tx.s = tx.s.put(l);
    Verdict v = decide(tx.s, l, true, false);
    if (v instanceof Grant g) {
      tx.grant(l, g);
    } else if (!l.has(LockFlag.NOQUEUE)) {
      l = tx.enqueue(l, Where.WAITING);
      tx.bastHoldersOf(l, l.rq, false);
    } else {
      tx.cast(l.id, DlmStatus.EAGAIN, IV, l.sb, null);
      if (l.has(LockFlag.NOQUEUEBAST)) {
        tx.bastHoldersOf(l, l.rq, true);
      }
      tx.s = tx.s.drop(id);
    }
    return tx.done();
  }

  static Outcome doConvert(State s, long id, int mode, int callFlags, byte[] lvbIn) {
    int flags = callFlags | LockFlag.CONVERT.bit();
    Optional<Rec> cur = s.find(id);
    boolean hasBuffer = lvbIn != null || cur.map(r -> r.buf != null).orElse(false);
    if (badLockArgs(mode, flags, true, hasBuffer)) {
      return refuse(s, DlmError.EINVAL);
    }
    if (cur.isEmpty()) {
      return refuse(s, DlmError.ENOENT);
    }
    Rec l = cur.get();
    if (l.where != Where.GRANTED) {
      return refuse(s, DlmError.EBUSY);
    }
    if (has(flags, LockFlag.QUECVT) && !quecvtAllowed(l.gr, mode)) {
      return refuse(s, DlmError.EINVAL);
    }
    Tx tx = new Tx(s);
    l = l.withFlags(flags).withSb(0).modes(l.gr, mode).withBuf(lvbIn != null ? copy(lvbIn) : l.buf);
    tx.s = tx.s.put(l);

    Verdict v = decide(tx.s, l, true, false);
    if (v instanceof Grant g) {
      tx.grant(l, g);
      tx.grantPendingLocks(false);
      return tx.done();
    }
    if (v instanceof Deadlock) {
      // §3.3 step 2: refused, still granted at the old mode.
      l = l.modes(l.gr, IV);
      tx.s = tx.s.put(l);
      tx.cast(id, DlmStatus.EDEADLK, l.gr, l.sb, null);
      return tx.done();
    }
    if (v instanceof Demote) {
      // §3.3 step 3 / §7.1: now NL; let other conversions go first, then retry this one.
      tx.s = tx.s.put(l.modes(NL, l.rq).withSb(l.sb | SB_DEMOTED));
      tx.convertQueueFixpoint(false);
      l = tx.s.get(id);
      if (grantable(tx.s, l, l.rq, true, false)) {
        tx.grant(l, new Grant(l.rq, false));
        tx.grantPendingLocks(false);
        return tx.done();
      }
    }
    if (!l.has(LockFlag.NOQUEUE)) {
      l = tx.enqueue(l, Where.CONVERT);
      tx.bastHoldersOf(l, l.rq, false);
    } else {
      int wanted = l.rq;
      l = l.modes(l.gr, IV);
      tx.s = tx.s.put(l);
      tx.cast(id, DlmStatus.EAGAIN, l.gr, l.sb, null);
      if (l.has(LockFlag.NOQUEUEBAST)) {
        tx.bastHoldersOf(l, wanted, true);
      }
    }
    return tx.done();
  }

  static Outcome doUnlock(State s, long id, int flags, byte[] lvbIn) {
    int allowed =
        LockFlag.CANCEL.bit() | LockFlag.VALBLK.bit() | LockFlag.IVVALBLK.bit() | LockFlag.FORCEUNLOCK.bit();
    if ((flags & ~allowed) != 0 || (has(flags, LockFlag.CANCEL) && has(flags, LockFlag.FORCEUNLOCK))) {
      return refuse(s, DlmError.EINVAL);
    }
    Optional<Rec> cur = s.find(id);
    if (cur.isEmpty()) {
      return refuse(s, DlmError.ENOENT);
    }
    Rec l = cur.get();
    Tx tx = new Tx(s);
    if (has(flags, LockFlag.CANCEL)) {
      if (l.where == Where.GRANTED) {
        return new Outcome(null, s, List.of()); // nothing to cancel: no completion at all
      }
      l = l.withFlags(l.flags | flags).withSb(0).modes(l.gr, IV);
      if (l.where == Where.CONVERT) {
        tx.s = tx.s.put(l.at(Where.GRANTED, 0));
        tx.cast(id, DlmStatus.ECANCEL, l.gr, 0, null);
      } else {
        tx.cast(id, DlmStatus.ECANCEL, IV, 0, null);
        tx.s = tx.s.drop(id);
      }
      tx.grantPendingLocks(false);
      return tx.done();
    }
    // Unlock flags are added to the lock's ("an overlapping op shouldn't blow away exflags").
    l = l.withFlags(l.flags | flags).withSb(0).withBuf(lvbIn != null ? copy(lvbIn) : l.buf);
    if (l.gr >= PW) {
      if (l.has(LockFlag.IVVALBLK)) {
        tx.s = tx.s.withLvb(tx.s.lvb.invalidated());
      } else if (l.has(LockFlag.VALBLK) && l.buf != null) {
        tx.s = tx.s.withLvb(tx.s.lvb.written(l.buf));
      }
    }
    tx.cast(id, DlmStatus.EUNLOCK, IV, 0, null);
    tx.s = tx.s.drop(id);
    tx.grantPendingLocks(false);
    return tx.done();
  }

  // ---------------------------------------------------------------------------------------------
  // §4.1 / §4.2 as predicates over a state
  // ---------------------------------------------------------------------------------------------

  sealed interface Verdict {}

  record Grant(int mode, boolean alternate) implements Verdict {}

  record Deadlock() implements Verdict {}

  record Demote() implements Verdict {}

  record No() implements Verdict {}

  /** §4.1 for lock {@code l} asking for {@code mode}. */
  static boolean grantable(State s, Rec l, int mode, boolean now, boolean recover) {
    if (l.has(LockFlag.EXPEDITE)) {
      return true;
    }
    boolean blocked = s.recs.stream().anyMatch(o -> o.id != l.id && o.holds() && !compatible(o.gr, mode));
    if (blocked) {
      return false;
    }
    boolean conversion = l.gr != IV;
    List<Rec> converting = s.queue(Where.CONVERT);
    List<Rec> waiting = s.queue(Where.WAITING);
    if (conversion && recover) {
      return true;
    }
    if (now && conversion) {
      return !l.has(LockFlag.QUECVT) || converting.isEmpty();
    }
    if (l.has(LockFlag.NOORDER)) {
      return true;
    }
    if (conversion) {
      return s.firstOf(Where.CONVERT) == l.id;
    }
    if (now) {
      return converting.isEmpty() && waiting.isEmpty();
    }
    return converting.isEmpty() && s.firstOf(Where.WAITING) == l.id;
  }

  /** §7.1: would this conversion wait on a queued conversion that waits on it? */
  static boolean conversionDeadlock(State s, Rec l) {
    List<Rec> q = s.queue(Where.CONVERT);
    int me = -1;
    for (int i = 0; i < q.size(); i++) {
      if (q.get(i).id == l.id) {
        me = i;
      }
    }
    for (int i = 0; i < q.size(); i++) {
      Rec o = q.get(i);
      if (o.id == l.id) {
        continue;
      }
      boolean ahead = me < 0 || i < me;
      boolean iBlockIt = !compatible(l.gr, o.rq);
      boolean itBlocksMe = !compatible(o.gr, l.rq);
      if (ahead ? iBlockIt : iBlockIt && itBlocksMe) {
        return true;
      }
    }
    return false;
  }

  /** §4.2: the requested mode, else deadlock handling, else an alternate mode. */
  static Verdict decide(State s, Rec l, boolean now, boolean recover) {
    if (grantable(s, l, l.rq, now, recover)) {
      return new Grant(l.rq, false);
    }
    if (l.gr != IV && !l.has(LockFlag.NOQUEUE) && conversionDeadlock(s, l)) {
      return l.has(LockFlag.CONVDEADLK) ? new Demote() : new Deadlock();
    }
    int alt = IV;
    if (l.has(LockFlag.ALTPR) && l.rq != PR) {
      alt = PR;
    } else if (l.has(LockFlag.ALTCW) && l.rq != CW) {
      alt = CW;
    }
    if (alt != IV && grantable(s, l, alt, now, false)) {
      return new Grant(alt, true);
    }
    return new No();
  }

  // ---------------------------------------------------------------------------------------------
  // A transition in progress: the state so far and the effects it produced
  // ---------------------------------------------------------------------------------------------

  static final class Tx {
    State s;
    final List<Ev> out = new ArrayList<>();

    Tx(State s) {
      this.s = s;
    }

    Outcome done() {
      return new Outcome(null, s, List.copyOf(out));
    }

    void cast(long id, DlmStatus st, int mode, int sb, byte[] lvb) {
      out.add(new Cast(id, st, mode, sb, lvb));
    }

    Rec enqueue(Rec l, Where w) {
      long p;
      if (l.has(LockFlag.HEADQUE)) {
        p = s.head - 1;
        s = new State(s.recs, s.lvb, p, s.tail);
      } else {
        p = s.tail + 1;
        s = new State(s.recs, s.lvb, s.head, p);
      }
      Rec q = l.at(w, p);
      s = s.put(q);
      return q;
    }

    /** Grants {@code l} in {@code g.mode}: LVB per §1.3/§8, grant queue, completion 0. */
    void grant(Rec l, Grant g) {
      int sb = l.sb | (g.alternate ? SB_ALTMODE : 0);
      Lvb lvb = s.lvb;
      byte[] buf = l.buf;
      byte[] read = null;
      switch (lvbAction(l.gr, g.mode)) {
        case 'R' -> {
          if (buf != null && l.has(LockFlag.VALBLK) && lvb.value != null) {
            read = lvb.value.clone();
            buf = lvb.value.clone();
            if (lvb.notValid) {
              sb |= SB_VALNOTVALID;
            }
          }
        }
        case 'W' -> {
          if (l.has(LockFlag.IVVALBLK)) {
            lvb = lvb.invalidated();
          } else if (buf != null && l.has(LockFlag.VALBLK)) {
            lvb = lvb.written(buf);
          }
        }
        default -> {
          if (lvb.notValid) {
            sb |= SB_VALNOTVALID;
          }
        }
      }
      Rec granted =
          new Rec(l.id, Where.GRANTED, 0, g.mode, IV, l.flags, sb, 0, buf, l.bastFn);
      s = s.put(granted).withLvb(lvb);
      cast(l.id, DlmStatus.OK, g.mode, sb, read);
    }

    /**
     * §5.2 "when queued" (grant queue only) or, with {@code all}, the NOQUEUEBAST rule (grant and
     * convert queues): each holder that blocks {@code mode} and has not been told yet.
     */
    void bastHoldersOf(Rec l, int mode, boolean all) {
      List<Rec> targets = new ArrayList<>(s.queue(Where.GRANTED));
      if (all) {
        targets.addAll(s.queue(Where.CONVERT));
      }
      for (Rec o : targets) {
        if (o.id == l.id || !o.bastFn) {
          continue;
        }
        boolean prCw = (o.gr == PR && mode == CW) || (o.gr == CW && mode == PR);
        boolean needed = prCw ? o.highbast < EX : o.highbast < mode && !compatible(o.gr, mode);
        if (needed) {
          out.add(new Bast(o.id, mode));
          s = s.put(o.withHighbast(mode));
        }
      }
    }

    /** Result of the convert-queue fixpoint: highest blocked mode of the last pass, and cw. */
    record Blocked(int high, boolean cw) {}

    /**
     * §4.3 step 1: passes over the convert queue, each over a snapshot of it in order, repeated
     * while a pass grants something; one extra pass when a pass newly demoted a lock (CONVDEADLK).
     * {@code cw} remembers a blocked CW conversion seen in any pass, as fs/dlm's does.
     */
    Blocked convertQueueFixpoint(boolean recover) {
      boolean extraPassUsed = false;
      boolean cw = false;
      while (true) {
        boolean granted = false;
        boolean demoted = false;
        int high = IV;
        for (Rec snap : s.queue(Where.CONVERT)) {
          Rec l = s.get(snap.id);
          boolean wasDemoted = (l.sb & SB_DEMOTED) != 0;
          Verdict v = decide(s, l, false, recover);
          if (v instanceof Grant g) {
            grant(l, g);
            granted = true;
            continue;
          }
          if (v instanceof Demote) {
            s = s.put(l.modes(NL, l.rq).withSb(l.sb | SB_DEMOTED));
            if (!wasDemoted) {
              demoted = true;
              continue;
            }
          }
          if (v instanceof Deadlock) {
            continue; // deadlocked while queued (possible after HEADQUE); no NODLCKWT here
          }
          high = Math.max(high, l.rq);
          cw |= l.rq == CW;
        }
        if (granted) {
          continue;
        }
        if (demoted && !extraPassUsed) {
          extraPassUsed = true;
          continue;
        }
        return new Blocked(high, cw);
      }
    }

    /** §4.3: conversions, then waiters, then basts for whatever is still blocked. */
    void grantPendingLocks(boolean recover) {
      Blocked b = convertQueueFixpoint(recover);
      int high = b.high;
      boolean cw = b.cw;
      for (Rec snap : s.queue(Where.WAITING)) {
        Rec l = s.get(snap.id);
        if (decide(s, l, false, false) instanceof Grant g) {
          grant(l, g);
        } else {
          high = Math.max(high, l.rq);
          cw |= l.rq == CW;
        }
      }
      if (high == IV) {
        return;
      }
      for (Rec o : s.queue(Where.GRANTED)) {
        if (!o.bastFn) {
          continue;
        }
        boolean needed =
            (o.gr == PR && cw) ? o.highbast < EX : o.highbast < high && !compatible(o.gr, high);
        if (needed) {
          int mode = (cw && high == PR && o.gr == PR) ? CW : high;
          out.add(new Bast(o.id, mode));
          s = s.put(o.withHighbast(high));
        }
      }
    }
  }

  private static byte[] copy(byte[] b) {
    return b == null ? null : b.clone();
  }
}
