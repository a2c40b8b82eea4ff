package io.clustermd.dlm.core.cluster;

import io.clustermd.dlm.core.ArgumentRules;
import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.Effect;
import io.clustermd.dlm.core.Lock;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.LockStatus;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.Step;
import io.clustermd.dlm.core.cluster.DlmMessage.Operation;
import io.clustermd.dlm.core.cluster.DlmMessage.Outcome;
import io.clustermd.dlm.core.cluster.Held.Pending;
import io.clustermd.dlm.core.cluster.Mastered.Owner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One member of a distributed lockspace, as a pure state machine (dlm.md §9–§11). It is at once a
 * holder (its clients' locks), a master (resources it masters, each a {@link
 * io.clustermd.dlm.core.LockResource}) and a directory node (for names that hash to it). Inputs:
 * client operations, messages from other members, membership views and clock ticks; output:
 * {@link NodeEffect}s. Recovery after a membership change is run by {@link Recovery}.
 *
 * <p>Messages between two members must arrive in order and exactly once while both live; the
 * reliable link below this class provides that over Artery.
 */
public final class LockspaceNode {

  /**
   * @param tossMillis how long an unused resource stays mastered (and a master stays cached)
   *     before it is released (fs/dlm toss_secs, default 10 s)
   * @param lookupRetryMillis delay before asking the directory again after "not master"
   */
  public record Options(long tossMillis, long lookupRetryMillis) {
    public static Options defaults() {
      return new Options(10_000, 20);
    }
  }

  /** The answer to a client call. */
  public sealed interface Result {
    /** Accepted; {@code lock} is the lock's id (new for a request). */
    record Accepted(LockId lock, List<NodeEffect> effects) implements Result {}

    /** Refused synchronously (dlm.md §3.1); nothing changed. */
    record Rejected(DlmError error, String reason) implements Result {}
  }

  /** A client call made while locking is stopped; it runs once recovery is done (§10.4). */
  private record Deferred(Held lock, Kind kind, LockMode mode, LockFlags flags, byte[] lvb) {
    /** The client call that was deferred. */
    enum Kind {
      LOCK,
      CONVERT,
      UNLOCK,
      CANCEL
    }
  }

  final NodeId self;
  final String lockspace;
  final int lvbLength;
  final Options options;

  /** The view of the last completed recovery; null until this node has joined. */
  View agreed;
  /** The latest view the shell reported. */
  View current;
  boolean running;
  /** Removed from the lockspace (downed or refused): the node acts on nothing any more. */
  boolean removed;
  Recovery run;
  List<Slot> slots = List.of();
  /**
   * Our slot as the last coordinator assigned it (fs/dlm {@code ls_slot}, set by dlm_slots_copy_in before
   * recovery ends): reported in our Status, so that an assignment whose run did not finish here survives a
   * change of coordinator (sim seed 3603: a joiner never got Resume, became coordinator, and gave itself a
   * new slot while the others had already agreed on its old one). 0 before any assignment.
   */
  int ownSlot;
  long generation;
  boolean leaving;

  /** Names whose directory node is this one: name → master (dlm.md §11.1). */
  final Map<ResourceName, NodeId> directory = new HashMap<>();
  final Map<ResourceName, Mastered> mastered = new HashMap<>();
  final Map<LockId, Held> held = new LinkedHashMap<>();
  final Map<ResourceName, Known> known = new HashMap<>();
  /** Requests for resources whose mastery this node is still looking up. */
  final Map<ResourceName, List<Envelope>> parked = new HashMap<>();
  /** Normal messages received while stopped, replayed in order after recovery. */
  final List<Envelope> saved = new ArrayList<>();
  private final List<Deferred> deferred = new ArrayList<>();
  final Recovery.Mailbox mailbox = new Recovery.Mailbox();
  /** Counts this node's stops; a run is accepted only for the latest (see {@link Recovery}). */
  long stopEpoch;
  /** Counts the recovery attempts this node started as coordinator. */
  long attempt;
  private long lastLockId;
  long now;

  record Envelope(NodeId from, DlmMessage.Normal message) {}

  public LockspaceNode(NodeId self, String lockspace, int lvbLength, Options options) {
    if (lvbLength < 0 || lvbLength % 8 != 0) {
      throw new IllegalArgumentException("LVB length " + lvbLength + " must be a non-negative multiple of 8");
    }
    this.self = self;
    this.lockspace = lockspace;
    this.lvbLength = lvbLength;
    this.options = options;
  }

  public NodeId self() {
    return self;
  }

  /** True once recovery has finished and locking runs. */
  public boolean isRunning() {
    return running;
  }

  public boolean isRemoved() {
    return removed;
  }

  public List<Slot> slots() {
    return slots;
  }

  public long generation() {
    return generation;
  }

  public View agreedView() {
    return agreed;
  }

  // ---------------------------------------------------------------------------------------------
  // Client operations
  // ---------------------------------------------------------------------------------------------

  /** A new request (dlm.md §3.2). The lock id is valid at once; the completion follows. */
  public Result lock(ResourceName name, LockMode mode, LockFlags flags, byte[] lvb, boolean wantsBast, long now) {
    this.now = now;
    String bad = ArgumentRules.lockArgs(mode, flags, lvb != null);
    if (bad == null && flags.has(LockFlag.CONVERT)) {
      bad = "CONVERT on a new request; convert the existing lock instead";
    }
    if (bad == null) {
      bad = checkLvb(lvb);
    }
    if (bad != null) {
      return new Result.Rejected(DlmError.EINVAL, bad);
    }
    if (removed || leaving) {
      return new Result.Rejected(DlmError.EINVAL, "lockspace " + lockspace + " is " + (removed ? "gone" : "leaving"));
    }
    Held h = new Held(new LockId(++lastLockId), name, wantsBast, lvb);
    h.flags = flags;
    h.rqmode = mode;
    held.put(h.id, h);
    knownFor(name).locks.add(h.id);
    List<NodeEffect> out = new ArrayList<>();
    if (!running) {
      h.pending = Pending.DEFERRED;
      deferred.add(new Deferred(h, Deferred.Kind.LOCK, mode, flags, lvb));
    } else {
      startRequest(h, out);
    }
    return new Result.Accepted(h.id, out);
  }

  /** A conversion (dlm.md §3.3). */
  public Result convert(LockId id, LockMode mode, LockFlags flags, byte[] lvb, long now) {
    this.now = now;
    Held h = clientLock(id);
    String bad = ArgumentRules.lockArgs(mode, flags.with(LockFlag.CONVERT), lvb != null || (h != null && h.lvb != null));
    if (bad == null) {
      bad = checkLvb(lvb);
    }
    if (bad != null) {
      return new Result.Rejected(DlmError.EINVAL, bad);
    }
    if (h == null) {
      return new Result.Rejected(DlmError.ENOENT, "no lock " + id + " in lockspace " + lockspace);
    }
    List<NodeEffect> out = new ArrayList<>();
    if (!running) {
      Result.Rejected busy = convertRefusal(h, mode, flags);
      if (busy != null) {
        return busy;
      }
      h.pending = Pending.DEFERRED;
      // fs/dlm takes a call's flags and LVB when it accepts it (validate_lock_args sets lkb_exflags;
      // lkb_lvbptr is the caller's buffer), and a cancel takes neither back. So a deferred conversion
      // cancelled before it started leaves them as a cancelled conversion at the master does: a later
      // unlock writes the LVB with the VALBLK it gave (sim seed 533).
      h.flags = flags.with(LockFlag.CONVERT);
      if (lvb != null && h.lvb != null) {
        System.arraycopy(lvb, 0, h.lvb, 0, lvbLength);
      }
      deferred.add(new Deferred(h, Deferred.Kind.CONVERT, mode, flags, lvb));
      return new Result.Accepted(id, out);
    }
    Result.Rejected refused = startConvert(h, mode, flags, lvb, out);
    return refused == null ? new Result.Accepted(id, out) : refused;
  }

  /** Unlock (dlm.md §3.4); with CANCEL, a cancel. */
  public Result unlock(LockId id, LockFlags flags, byte[] lvb, long now) {
    this.now = now;
    String bad = ArgumentRules.unlockArgs(flags);
    if (bad == null) {
      bad = checkLvb(lvb);
    }
    if (bad != null) {
      return new Result.Rejected(DlmError.EINVAL, bad);
    }
    Held h = clientLock(id);
    if (h == null) {
      return new Result.Rejected(DlmError.ENOENT, "no lock " + id + " in lockspace " + lockspace);
    }
    List<NodeEffect> out = new ArrayList<>();
    if (!running) {
      Result.Rejected refused = flags.has(LockFlag.CANCEL) ? deferCancel(h, out) : deferUnlock(h, flags, lvb, out);
      return refused == null ? new Result.Accepted(id, out) : refused;
    }
    Result.Rejected refused = flags.has(LockFlag.CANCEL) ? startCancel(h, out) : startUnlock(h, flags, lvb, out);
    return refused == null ? new Result.Accepted(id, out) : refused;
  }

  public Result cancel(LockId id, long now) {
    return unlock(id, LockFlags.of(LockFlag.CANCEL), null, now);
  }

  /**
   * Leave cleanly: force-unlock whatever is still held, then tell the shell it may leave
   * ({@link NodeEffect.ReadyToLeave}); the others do not treat the departure as a failure.
   */
  public List<NodeEffect> leave(long now) {
    this.now = now;
    leaving = true;
    List<NodeEffect> out = new ArrayList<>();
    if (running) {
      for (Held h : new ArrayList<>(held.values())) {
        if (h.pending != Pending.UNLOCK) {
          startUnlock(h, LockFlags.of(LockFlag.FORCEUNLOCK), null, out);
        }
      }
    }
    checkReadyToLeave(out);
    return out;
  }

  private void checkReadyToLeave(List<NodeEffect> out) {
    if (leaving && running && held.isEmpty()) {
      out.add(new NodeEffect.ReadyToLeave());
      leaving = false;
    }
  }

  private String checkLvb(byte[] lvb) {
    if (lvb != null && lvb.length != lvbLength) {
      return "LVB buffer is " + lvb.length + " bytes; lockspace " + lockspace + " uses " + lvbLength;
    }
    return null;
  }

  /** The deferred operation of {@code h}, if one is waiting for recovery to end. */
  private Deferred deferredOf(Held h) {
    for (Deferred d : deferred) {
      if (d.lock() == h && (d.kind() == Deferred.Kind.LOCK || d.kind() == Deferred.Kind.CONVERT)) {
        return d;
      }
    }
    return null;
  }

  /** An unlock while locking is stopped: a deferred request that never started just ends. */
  private Result.Rejected deferUnlock(Held h, LockFlags flags, byte[] lvb, List<NodeEffect> out) {
    boolean force = flags.has(LockFlag.FORCEUNLOCK);
    if (h.pending != Pending.NONE && !force) {
      return new Result.Rejected(DlmError.EBUSY, "lock " + h.id + " has " + h.pending + " pending; unlock with FORCEUNLOCK to overlap it");
    }
    if (h.resendConvert && !force) {
      return new Result.Rejected(DlmError.EBUSY, "lock " + h.id + " has a conversion to " + h.resendMode
          + " in flight, to be resent after recovery; unlock with FORCEUNLOCK to overlap it");
    }
    Deferred d = deferredOf(h);
    if (d != null) {
      deferred.remove(d);
      if (d.kind() == Deferred.Kind.LOCK) {
        holderCompleted(h, DlmStatus.EUNLOCK, null, 0, null, 0, out);
        return null;
      }
      h.pending = Pending.NONE; // the conversion never left: the unlock replaces it
    }
    if (h.pending == Pending.NONE) {
      h.pending = Pending.DEFERRED;
    }
    deferred.add(new Deferred(h, Deferred.Kind.UNLOCK, null, flags, lvb));
    return null;
  }

  /** A cancel while locking is stopped: a deferred request or conversion is cancelled here. */
  private Result.Rejected deferCancel(Held h, List<NodeEffect> out) {
    Deferred d = deferredOf(h);
    if (d != null) {
      deferred.remove(d);
      h.pending = Pending.NONE;
      holderCompleted(h, DlmStatus.ECANCEL, d.kind() == Deferred.Kind.LOCK ? null : h.grmode, 0, null, 0, out);
      return null;
    }
    if (h.pending == Pending.DEFERRED || (h.pending == Pending.NONE && h.status == LockStatus.GRANTED)) {
      return null; // an unlock is already deferred, or there is nothing to cancel
    }
    deferred.add(new Deferred(h, Deferred.Kind.CANCEL, null, LockFlags.of(LockFlag.CANCEL), null));
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Holder side: starting operations
  // ---------------------------------------------------------------------------------------------

  void startRequest(Held h, List<NodeEffect> out) {
    Known k = knownFor(h.name);
    if (k.master == null) {
      h.pending = Pending.MASTER;
      if (!k.waiting.contains(h.id)) {
        k.waiting.add(h.id);
      }
      if (!k.lookupOutstanding && now >= k.lookupNotBefore) {
        lookup(h.name, k, out);
      }
      return;
    }
    h.pending = Pending.REQUEST;
    if (k.master.equals(self)) {
      Mastered m = masteredFor(h.name);
      LockId masterId = newLockId();
      m.owners.put(masterId, new Owner(self, h.id));
      h.masterId = masterId;
      Step step = m.core.request(masterId, h.rqmode, h.flags, h.lvb, h.wantsBast);
      applyMaster(m, step, masterId, Operation.REQUEST, true, out);
      if (h.pending == Pending.REQUEST) {
        holderQueued(h, Operation.REQUEST, out);
      }
    } else {
      out.add(send(k.master, new DlmMessage.Request(h.id, h.name, h.rqmode, h.flags.bits(), h.lvb, h.wantsBast)));
    }
  }

  /** @return null when started, else why not */
  private static Result.Rejected convertRefusal(Held h, LockMode mode, LockFlags flags) {
    if (h.status != LockStatus.GRANTED || h.pending != Pending.NONE) {
      return new Result.Rejected(DlmError.EBUSY, "lock " + h.id + " is " + h.status + (h.pending == Pending.NONE ? "" : " with " + h.pending + " pending") + "; only a granted lock can convert");
    }
    if (h.resendConvert) {
      // Its conversion was in flight to a master that departed: it stays on the waiters list, to be
      // resent to the new master when recovery ends (fs/dlm: lkb_wait_type stays set, so a second
      // convert is -EBUSY; sim seed 6060: the new master refused the second one the holder took).
      return new Result.Rejected(DlmError.EBUSY, "lock " + h.id + " has a conversion to " + h.resendMode
          + " in flight, to be resent to the new master after recovery; only a granted lock can convert");
    }
    if (flags.has(LockFlag.QUECVT) && !(h.grmode.value() < mode.value() || h.grmode.isMiddleConversionTo(mode))) {
      return new Result.Rejected(DlmError.EINVAL, "QUECVT is not allowed for " + h.grmode + "->" + mode + " (upward conversions only)");
    }
    return null;
  }

  private Result.Rejected startConvert(Held h, LockMode mode, LockFlags flags, byte[] lvb, List<NodeEffect> out) {
    Result.Rejected refused = convertRefusal(h, mode, flags);
    if (refused != null) {
      return refused;
    }
    if (lvb != null) {
      System.arraycopy(lvb, 0, h.lvb, 0, lvbLength);
    }
    h.flags = flags.with(LockFlag.CONVERT);
    h.rqmode = mode;
    Known k = knownFor(h.name);
    h.pending = Pending.CONVERT;
    if (k.master.equals(self)) {
      Mastered m = mastered.get(h.name);
      applyMaster(m, m.core.convert(h.masterId, mode, flags, h.lvb), h.masterId, Operation.CONVERT, true, out);
      if (h.pending == Pending.CONVERT) {
        holderQueued(h, Operation.CONVERT, out);
      }
      return null;
    }
    boolean down = h.grmode.isDownConversionTo(mode);
    out.add(send(k.master, new DlmMessage.Convert(h.masterId, h.id, h.name, mode, flags.bits(), h.lvb, !down)));
    if (down) {
      // A down-conversion is always granted: the holder completes it without a reply (§3.3).
      holderCompleted(h, DlmStatus.OK, mode, 0, null, h.lvbSeq, out);
    }
    return null;
  }

  private Result.Rejected startUnlock(Held h, LockFlags flags, byte[] lvb, List<NodeEffect> out) {
    boolean force = flags.has(LockFlag.FORCEUNLOCK);
    if (h.pending != Pending.NONE && !force) {
      return new Result.Rejected(DlmError.EBUSY, "lock " + h.id + " has " + h.pending + " in flight; unlock with FORCEUNLOCK to overlap it");
    }
    if (lvb != null && h.lvb != null) {
      System.arraycopy(lvb, 0, h.lvb, 0, lvbLength);
    }
    // Only the unlock of a granted lock with nothing in flight is answered at once: then no grant can
    // cross it, and the mode it unlocks from (which decides the LVB write) is the one its client knows.
    boolean settled = h.pending == Pending.NONE && h.status == LockStatus.GRANTED;
    switch (h.pending) {
      case MASTER -> {
        // The request never reached a master: it ends here, completed by the unlock (§5.1).
        knownFor(h.name).waiting.remove(h.id);
        holderCompleted(h, DlmStatus.EUNLOCK, null, 0, null, 0, out);
        return null;
      }
      case REQUEST, CONVERT -> {
        h.unlockOverlap = flags.without(LockFlag.FORCEUNLOCK);
        return null;
      }
      case UNLOCK -> {
        return new Result.Rejected(DlmError.EBUSY, "lock " + h.id + " is already being unlocked");
      }
      default -> {}
    }
    h.pending = Pending.UNLOCK;
    LockFlags sent = withLvbFlagsOf(h, flags);
    Known k = knownFor(h.name);
    if (k.master.equals(self)) {
      Mastered m = mastered.get(h.name);
      applyMaster(m, m.core.unlock(h.masterId, sent, h.lvb), h.masterId, Operation.UNLOCK, true, out);
    } else {
      out.add(send(k.master, new DlmMessage.Unlock(h.masterId, h.id, h.name, sent.bits(), h.lvb)));
      if (!settled) {
        return null; // a forced unlock overlapping a cancel or a queued conversion waits for the reply
      }
      // One message, as a down-conversion: an unlock cannot be refused once sent (the holder has checked
      // it), and the master applies it, with its LVB write, before anything this node sends it later
      // (the link is ordered). fs/dlm waits for the reply; answering now halves a remote lock+unlock.
      // The lock stays, silent, until the reply (or recovery, as an unlock in flight) ends it.
      out.add(new NodeEffect.Completed(h.id, DlmStatus.EUNLOCK, null, 0, null));
      h.unlockAnnounced = true;
    }
    return null;
  }

  /**
   * The unlock's flags with the lock's VALBLK and IVVALBLK added: fs/dlm's unlock message carries the
   * holder's {@code lkb_exflags} (the last request's or conversion's flags, to which validate_unlock_args
   * adds the unlock's), and the master's {@code set_lvb_unlock} decides by them. The master copy's own
   * flags may lack them: a conversion deferred during recovery and cancelled there never reached it.
   */
  private static LockFlags withLvbFlagsOf(Held h, LockFlags flags) {
    LockFlags sent = flags;
    if (h.flags.has(LockFlag.VALBLK)) {
      sent = sent.with(LockFlag.VALBLK);
    }
    if (h.flags.has(LockFlag.IVVALBLK)) {
      sent = sent.with(LockFlag.IVVALBLK);
    }
    return sent;
  }

  private Result.Rejected startCancel(Held h, List<NodeEffect> out) {
    switch (h.pending) {
      case MASTER -> {
        knownFor(h.name).waiting.remove(h.id);
        holderCompleted(h, DlmStatus.ECANCEL, null, 0, null, 0, out);
        return null;
      }
      case REQUEST, CONVERT -> {
        h.cancelOverlap = true;
        return null;
      }
      case UNLOCK, CANCEL -> {
        return null; // fs/dlm: -EBUSY, reported as 0 for a cancel
      }
      default -> {}
    }
    if (h.status == LockStatus.GRANTED) {
      return null; // nothing to cancel: no completion (§3.4)
    }
    h.pending = Pending.CANCEL;
    Known k = knownFor(h.name);
    if (k.master.equals(self)) {
      Mastered m = mastered.get(h.name);
      applyMaster(m, m.core.cancel(h.masterId), h.masterId, Operation.CANCEL, true, out);
      if (h.pending == Pending.CANCEL) {
        h.pending = Pending.NONE;
      }
    } else {
      out.add(send(k.master, new DlmMessage.Cancel(h.masterId, h.id, h.name)));
    }
    return null;
  }

  private void lookup(ResourceName name, Known k, List<NodeEffect> out) {
    NodeId dir = Directory.nodeFor(name, agreed.members());
    if (dir.equals(self)) {
      NodeId master = directory.computeIfAbsent(name, n -> self);
      masterKnown(name, master, out);
    } else {
      k.lookupOutstanding = true;
      out.add(send(dir, new DlmMessage.Lookup(name)));
    }
  }

  /** The directory answered: release the requests that waited for it, and requests parked here. */
  private void masterKnown(ResourceName name, NodeId master, List<NodeEffect> out) {
    Known k = knownFor(name);
    k.master = master;
    k.agreedMaster = master;
    k.lookupOutstanding = false;
    if (master.equals(self)) {
      masteredFor(name);
    }
    List<LockId> waiting = k.waiting;
    k.waiting = new ArrayList<>();
    for (LockId id : waiting) {
      Held h = held.get(id);
      if (h != null && h.pending == Pending.MASTER) {
        startRequest(h, out);
      }
    }
    List<Envelope> requests = parked.remove(name);
    if (requests != null) {
      for (Envelope e : requests) {
        receive(e.from(), e.message(), out);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Holder side: outcomes
  // ---------------------------------------------------------------------------------------------

  void holderCompleted(Held h, DlmStatus status, LockMode mode, int sbFlags, byte[] lvbRead, int lvbSeq, List<NodeEffect> out) {
    if (h.cancelAsNoqueue) {
      h.cancelAsNoqueue = false;
      if (status == DlmStatus.ECANCEL) {
        status = DlmStatus.EAGAIN; // the NOQUEUE conversion could not be granted at once
      }
    }
    if (lvbRead != null && h.lvb != null) {
      System.arraycopy(lvbRead, 0, h.lvb, 0, lvbLength);
      h.lvbSeq = lvbSeq;
    }
    h.filter.completed(mode);
    if (h.visible()) {
      out.add(new NodeEffect.Completed(h.id, status, mode, sbFlags, lvbRead));
    }
    if (h.pending != Pending.UNLOCK || status == DlmStatus.EUNLOCK) {
      h.pending = Pending.NONE;
    }
    if (mode == null) {
      end(h, status, out);
      return;
    }
    h.grmode = mode;
    h.rqmode = null;
    h.status = LockStatus.GRANTED;
    h.cancelOverlap = false; // a cancel that overlapped a grant lost (§3.4)
    if (h.unlockOverlap != null) {
      LockFlags f = h.unlockOverlap;
      h.unlockOverlap = null;
      startUnlock(h, f, null, out);
    }
  }

  /**
   * Recovery queued an in-flight conversion at the new master (see {@link Held#queuedByRecovery}): what
   * overlapped it runs now, as after a "queued" reply; a NOQUEUE conversion must not stay queued, so it
   * is cancelled, and completes with EAGAIN unless the new master granted it first.
   */
  void afterQueuedByRecovery(Held h, List<NodeEffect> out) {
    if (held.get(h.id) != h || h.status != LockStatus.CONVERT) {
      return; // ended or granted meanwhile
    }
    if (h.unlockOverlap == null && !h.cancelOverlap && h.flags.has(LockFlag.NOQUEUE)) {
      h.cancelAsNoqueue = true;
      h.cancelOverlap = true;
    }
    holderQueued(h, Operation.CONVERT, out);
  }

  void holderQueued(Held h, Operation op, List<NodeEffect> out) {
    h.pending = Pending.NONE;
    h.status = op == Operation.REQUEST ? LockStatus.WAITING : LockStatus.CONVERT;
    if (h.unlockOverlap != null) {
      LockFlags f = h.unlockOverlap;
      h.unlockOverlap = null;
      h.cancelOverlap = false;
      startUnlock(h, f, null, out);
    } else if (h.cancelOverlap) {
      h.cancelOverlap = false;
      startCancel(h, out);
    }
  }

  /**
   * The lock is gone. An unlock the caller was promised (in flight, overlapped or deferred) ends
   * with it: its completion is EUNLOCK, so that no caller waits for a reply that cannot come.
   */
  private void end(Held h, DlmStatus endedWith, List<NodeEffect> out) {
    boolean deferredUnlock = deferred.stream().anyMatch(d -> d.lock() == h && d.kind() == Deferred.Kind.UNLOCK);
    deferred.removeIf(d -> d.lock() == h);
    boolean unlockOwed = endedWith != DlmStatus.EUNLOCK && h.visible()
        && (h.pending == Pending.UNLOCK || h.unlockOverlap != null || deferredUnlock);
    h.status = LockStatus.ENDED;
    h.grmode = null;
    held.remove(h.id);
    Known k = known.get(h.name);
    if (k != null) {
      k.locks.remove(h.id);
      k.waiting.remove(h.id);
      if (k.unused()) {
        k.unusedSince = now;
      }
    }
    if (unlockOwed) {
      out.add(new NodeEffect.Completed(h.id, DlmStatus.EUNLOCK, null, 0, null));
    }
    checkReadyToLeave(out);
  }

  // ---------------------------------------------------------------------------------------------
  // Master side
  // ---------------------------------------------------------------------------------------------

  /**
   * Carries out a master step: completions and basts go to local holders directly and to remote
   * ones as messages; the initiating remote holder gets exactly one reply.
   */
  void applyMaster(Mastered m, Step step, LockId initiator, Operation op, boolean replyWanted, List<NodeEffect> out) {
    Owner init = initiator == null ? null : m.owners.get(initiator);
    if (step instanceof Step.Rejected r) {
      if (m.core.lock(initiator) == null) {
        m.owners.remove(initiator);
      }
      if (init != null) {
        if (init.node().equals(self)) {
          Held h = held.get(init.holderId());
          if (h != null) {
            h.pending = Pending.NONE;
            if (h.visible()) {
              out.add(new NodeEffect.Failed(h.id, r.error(), r.reason()));
            }
            if (!h.existsAtMaster()) {
              end(h, null, out);
            }
          }
        } else {
          out.add(send(init.node(), reply(op, init.holderId(), initiator, m, Outcome.REJECTED, null, r.error(), r.reason())));
        }
      }
      noteUse(m);
      return;
    }
    boolean replied = false;
    for (Effect e : ((Step.Accepted) step).effects()) {
      Owner o = m.owners.get(e.lock());
      if (o == null && m.core.lock(e.lock()) == null) {
        // A local holder's completion earlier in this list started a step that ended this master copy
        // (an overlapping unlock): a later bast for it is moot.
        continue;
      }
      if (o == null) {
        throw new IllegalStateException(self + ": effect for a master copy without owner: " + e + " on " + m.core
            + " owners=" + m.owners + (m.tentative ? " tentative" : "") + (m.remastered ? " remastered" : ""));
      }
      if (e instanceof Effect.Completion c) {
        Lock lk = m.core.lock(c.lock());
        int seq = lk == null ? 0 : lk.lvbSequence();
        if (lk == null) {
          m.owners.remove(c.lock());
        }
        if (o.node().equals(self)) {
          Held h = held.get(o.holderId());
          if (h != null) {
            holderCompleted(h, c.status(), c.mode(), c.sbFlags(), c.lvb(), seq, out);
          }
        } else if (!replied && c.lock().equals(initiator)) {
          replied = true;
          if (replyWanted) {
            out.add(send(o.node(), reply(op, o.holderId(), initiator, m, Outcome.COMPLETED, c, null, null, seq)));
          }
        } else {
          out.add(send(o.node(), new DlmMessage.Grant(o.holderId(), m.core.name(), c.status(), c.mode(), c.sbFlags(), c.lvb(), seq)));
        }
      } else if (e instanceof Effect.Blocking b) {
        if (o.node().equals(self)) {
          Held h = held.get(o.holderId());
          if (h != null && h.visible() && h.filter.admitBlocking(b.mode())) {
            out.add(new NodeEffect.Blocked(h.id, b.mode()));
          }
        } else {
          out.add(send(o.node(), new DlmMessage.Bast(o.holderId(), m.core.name(), b.mode())));
        }
      }
    }
    if (init != null && !init.node().equals(self) && !replied && replyWanted) {
      Outcome outcome = op == Operation.CANCEL ? Outcome.NOTHING : Outcome.QUEUED;
      out.add(send(init.node(), reply(op, init.holderId(), initiator, m, outcome, null, null, null)));
    }
    noteUse(m);
  }

  private DlmMessage.Reply reply(Operation op, LockId holderId, LockId masterId, Mastered m, Outcome outcome, Effect.Completion c, DlmError error, String reason) {
    return reply(op, holderId, masterId, m, outcome, c, error, reason, 0);
  }

  private static DlmMessage.Reply reply(
      Operation op, LockId holderId, LockId masterId, Mastered m, Outcome outcome, Effect.Completion c, DlmError error, String reason, int seq) {
    return new DlmMessage.Reply(
        op, holderId, masterId, m.core.name(), outcome,
        c == null ? null : c.status(), c == null ? null : c.mode(), c == null ? 0 : c.sbFlags(),
        c == null ? null : c.lvb(), seq, error, reason);
  }

  private void noteUse(Mastered m) {
    if (m.core.isUnused()) {
      if (m.unusedSince < 0) {
        m.unusedSince = now;
      }
    } else {
      m.unusedSince = -1;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Messages
  // ---------------------------------------------------------------------------------------------

  /** A message from another member. */
  public List<NodeEffect> onMessage(NodeId from, DlmMessage message, long now) {
    this.now = now;
    List<NodeEffect> out = new ArrayList<>();
    if (removed) {
      return out;
    }
    if (message instanceof DlmMessage.Recovery r) {
      Recovery.receive(this, from, r, out);
    } else if (message instanceof DlmMessage.Normal n) {
      if (!running) {
        saved.add(new Envelope(from, n));
      } else if (agreed.contains(from)) {
        receive(from, n, out);
      }
    }
    return out;
  }

  void receive(NodeId from, DlmMessage.Normal message, List<NodeEffect> out) {
    if (message instanceof DlmMessage.Lookup l) {
      onLookup(from, l, out);
    } else if (message instanceof DlmMessage.LookupReply r) {
      onLookupReply(r, out);
    } else if (message instanceof DlmMessage.Remove r) {
      if (from.equals(directory.get(r.name()))) {
        directory.remove(r.name());
      }
    } else if (message instanceof DlmMessage.Request r) {
      onRequest(from, r, out);
    } else if (message instanceof DlmMessage.Convert c) {
      onMasterOp(from, c.name(), c.masterId(), c.holderId(), Operation.CONVERT, c.replyWanted(),
          m -> m.core.convert(c.masterId(), c.mode(), LockFlags.ofBits(c.flags()), c.lvb()), out);
    } else if (message instanceof DlmMessage.Unlock u) {
      onMasterOp(from, u.name(), u.masterId(), u.holderId(), Operation.UNLOCK, true,
          m -> m.core.unlock(u.masterId(), LockFlags.ofBits(u.flags()), u.lvb()), out);
    } else if (message instanceof DlmMessage.Cancel c) {
      onMasterOp(from, c.name(), c.masterId(), c.holderId(), Operation.CANCEL, true,
          m -> m.core.cancel(c.masterId()), out);
    } else if (message instanceof DlmMessage.Reply r) {
      onReply(from, r, out);
    } else if (message instanceof DlmMessage.Grant g) {
      Held h = held.get(g.holderId());
      if (h != null) {
        holderCompleted(h, g.status(), g.mode(), g.sbFlags(), g.lvb(), g.lvbSequence(), out);
      }
    } else if (message instanceof DlmMessage.Bast b) {
      Held h = held.get(b.holderId());
      if (h != null && h.visible() && h.filter.admitBlocking(b.mode())) {
        out.add(new NodeEffect.Blocked(h.id, b.mode()));
      }
    }
  }

  private void onLookup(NodeId from, DlmMessage.Lookup l, List<NodeEffect> out) {
    if (!Directory.nodeFor(l.name(), agreed.members()).equals(self)) {
      out.add(send(from, new DlmMessage.LookupReply(l.name(), null)));
      return;
    }
    NodeId master = directory.computeIfAbsent(l.name(), n -> from);
    out.add(send(from, new DlmMessage.LookupReply(l.name(), master)));
  }

  private void onLookupReply(DlmMessage.LookupReply r, List<NodeEffect> out) {
    Known k = known.get(r.name());
    if (k == null || !k.lookupOutstanding) {
      return;
    }
    if (r.master() == null || !agreed.contains(r.master())) {
      k.lookupOutstanding = false;
      k.lookupNotBefore = now + options.lookupRetryMillis();
      return;
    }
    masterKnown(r.name(), r.master(), out);
  }

  private void onRequest(NodeId from, DlmMessage.Request r, List<NodeEffect> out) {
    Mastered m = mastered.get(r.name());
    if (m == null) {
      Known k = known.get(r.name());
      if (k != null && k.lookupOutstanding) {
        // The directory named us master before our own lookup reply arrived.
        parked.computeIfAbsent(r.name(), n -> new ArrayList<>()).add(new Envelope(from, r));
      } else {
        out.add(send(from, new DlmMessage.Reply(Operation.REQUEST, r.holderId(), null, r.name(), Outcome.NOT_MASTER,
            null, null, 0, null, 0, null, self + " does not master " + r.name())));
      }
      return;
    }
    LockId masterId = newLockId();
    m.owners.put(masterId, new Owner(from, r.holderId()));
    Step step = m.core.request(masterId, r.mode(), LockFlags.ofBits(r.flags()), r.lvb(), r.wantsBast());
    applyMaster(m, step, masterId, Operation.REQUEST, true, out);
  }

  private void onMasterOp(NodeId from, ResourceName name, LockId masterId, LockId holderId, Operation op, boolean replyWanted,
      java.util.function.Function<Mastered, Step> run, List<NodeEffect> out) {
    Mastered m = mastered.get(name);
    Owner o = m == null ? null : m.owners.get(masterId);
    if (o == null || !o.node().equals(from) || !o.holderId().equals(holderId)) {
      out.add(send(from, new DlmMessage.Reply(op, holderId, masterId, name, Outcome.REJECTED, null, null, 0, null, 0,
          DlmError.ENOENT, "no master copy " + masterId + " of " + from + "'s lock " + holderId + " on " + name)));
      return;
    }
    applyMaster(m, run.apply(m), masterId, op, replyWanted, out);
  }

  private void onReply(NodeId from, DlmMessage.Reply r, List<NodeEffect> out) {
    Held h = held.get(r.holderId());
    if (h == null) {
      return;
    }
    if (r.masterId() != null) {
      h.masterId = r.masterId();
    }
    if (r.operation() == Operation.REQUEST && (r.outcome() == Outcome.QUEUED || r.outcome() == Outcome.COMPLETED)
        && knownFor(h.name).master == null) {
      // Another request to the same node was answered "not master" (it had just released the resource)
      // and made us forget the master, but this one reached it after it mastered the resource again: the
      // lock now lives there, so that is the master (found by seed 334 of the dlm simulation).
      masterKnown(h.name, from, out);
    }
    switch (r.outcome()) {
      case COMPLETED -> holderCompleted(h, r.status(), r.mode(), r.sbFlags(), r.lvb(), r.lvbSequence(), out);
      case QUEUED -> holderQueued(h, r.operation(), out);
      case NOTHING -> {
        if (h.pending == Pending.CANCEL) {
          h.pending = Pending.NONE;
        }
      }
      case NOT_MASTER -> {
        Known k = knownFor(h.name);
        k.master = null;
        k.agreedMaster = null;
        k.lookupNotBefore = now + options.lookupRetryMillis();
        h.pending = Pending.MASTER;
        k.waiting.add(h.id);
      }
      case REJECTED -> {
        h.pending = Pending.NONE;
        if (!h.visible()) {
          end(h, DlmStatus.EUNLOCK, out); // the master has no copy: the announced unlock is done
          return;
        }
        out.add(new NodeEffect.Failed(h.id, r.error(), r.reason()));
        if (!h.existsAtMaster()) {
          end(h, null, out);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Time
  // ---------------------------------------------------------------------------------------------

  /** Clock tick: retry lookups, and release resources unused for {@code tossMillis} (§11.2). */
  public List<NodeEffect> onTick(long now) {
    this.now = now;
    List<NodeEffect> out = new ArrayList<>();
    if (!running || removed) {
      return out;
    }
    for (Map.Entry<ResourceName, Known> e : new ArrayList<>(known.entrySet())) {
      Known k = e.getValue();
      if (k.master == null && !k.waiting.isEmpty() && !k.lookupOutstanding && now >= k.lookupNotBefore) {
        lookup(e.getKey(), k, out);
      }
    }
    Iterator<Map.Entry<ResourceName, Mastered>> it = mastered.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ResourceName, Mastered> e = it.next();
      Mastered m = e.getValue();
      if (m.core.isUnused() && m.unusedSince >= 0 && now - m.unusedSince >= options.tossMillis()) {
        it.remove();
        ResourceName name = e.getKey();
        Known k = known.get(name);
        if (k != null && k.unused()) {
          known.remove(name);
        } else if (k != null) {
          k.master = null;
          k.agreedMaster = null;
        }
        NodeId dir = Directory.nodeFor(name, agreed.members());
        if (dir.equals(self)) {
          directory.remove(name, self);
        } else {
          out.add(send(dir, new DlmMessage.Remove(name)));
        }
      }
    }
    known.entrySet().removeIf(e -> e.getValue().unused() && !self.equals(e.getValue().master)
        && e.getValue().unusedSince >= 0 && now - e.getValue().unusedSince >= options.tossMillis());
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Membership
  // ---------------------------------------------------------------------------------------------

  /** A new membership view from the shell (Akka, after the split brain resolver removed a node). */
  public List<NodeEffect> onView(View view, long now) {
    this.now = now;
    List<NodeEffect> out = new ArrayList<>();
    if (removed) {
      return out;
    }
    Recovery.onView(this, view, out);
    return out;
  }

  /** Recovery finished: run what callers asked for meanwhile (§10.4: they complete after it). */
  void runDeferred(List<NodeEffect> out) {
    // One at a time from the live list: an entry that ends its lock settles the entries after it.
    while (!deferred.isEmpty()) {
      Deferred d = deferred.remove(0);
      Held h = d.lock();
      if (!held.containsKey(h.id)) {
        continue;
      }
      if (h.pending == Pending.DEFERRED && d.kind() != Deferred.Kind.CANCEL) {
        h.pending = Pending.NONE;
      }
      Result.Rejected refused =
          switch (d.kind()) {
            case LOCK -> {
              startRequest(h, out);
              yield null;
            }
            case CONVERT -> startConvert(h, d.mode(), d.flags(), d.lvb(), out);
            case CANCEL -> startCancel(h, out);
            // Accepted when nothing was in flight: whatever is in flight now was started by this
            // replay, so the unlock overlaps it.
            case UNLOCK -> startUnlock(h, d.flags().with(LockFlag.FORCEUNLOCK), d.lvb(), out);
          };
      if (refused != null && h.visible()) {
        out.add(new NodeEffect.Failed(h.id, refused.error(), refused.reason()));
      }
    }
    checkReadyToLeave(out);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  Known knownFor(ResourceName name) {
    Known k = known.computeIfAbsent(name, n -> new Known());
    k.unusedSince = -1;
    return k;
  }

  Mastered masteredFor(ResourceName name) {
    return mastered.computeIfAbsent(name, n -> new Mastered(n, lvbLength));
  }

  LockId newLockId() {
    return new LockId(++lastLockId);
  }

  /** A lock the client still has (not one whose unlock was announced and awaits the master's reply). */
  private Held clientLock(LockId id) {
    Held h = held.get(id);
    return h == null || !h.visible() ? null : h;
  }

  NodeEffect.Send send(NodeId to, DlmMessage m) {
    return new NodeEffect.Send(to, m);
  }

  /** The held lock with this id, for checkers; null when unknown. */
  public LockStatus statusOf(LockId id) {
    Held h = clientLock(id);
    return h == null ? LockStatus.ENDED : h.status;
  }

  /** Granted mode of a local client's lock as this holder believes it; null when none. */
  public LockMode heldMode(LockId id) {
    Held h = clientLock(id);
    return h == null ? null : h.grmode;
  }

  /** For checkers: every master copy here with its owner node and granted mode. */
  public Map<ResourceName, List<Lock>> masteredLocks() {
    Map<ResourceName, List<Lock>> result = new HashMap<>();
    for (Map.Entry<ResourceName, Mastered> e : mastered.entrySet()) {
      List<Lock> locks = new ArrayList<>();
      for (LockId id : e.getValue().core.lockIds()) {
        locks.add(e.getValue().core.lock(id));
      }
      result.put(e.getKey(), locks);
    }
    return result;
  }

  /** One line of state for failure reports. */
  public String describe() {
    StringBuilder sb = new StringBuilder(self + (running ? " running" : " stopped") + (removed ? " removed" : ""));
    sb.append(" agreed=").append(agreed == null ? null : agreed.members());
    sb.append(" current=").append(current == null ? null : current.members());
    if (run != null) {
      sb.append(" run=").append(run.describe());
    }
    sb.append(" statuses=").append(mailbox.statuses.keySet()).append(" early=").append(mailbox.early.size());
    sb.append(" saved=").append(saved.size()).append(" held=").append(held.values());
    return sb.toString();
  }

  /** Invariants of every mastered resource and of the holder bookkeeping. */
  public void checkInvariants() {
    for (Mastered m : mastered.values()) {
      m.core.checkInvariants();
      for (LockId id : m.core.lockIds()) {
        if (!m.owners.containsKey(id)) {
          throw new IllegalStateException(self + ": master copy " + id + " on " + m.core.name() + " has no owner");
        }
      }
    }
    if (running) {
      for (Map.Entry<ResourceName, Known> e : known.entrySet()) {
        if (self.equals(e.getValue().master) && !mastered.containsKey(e.getKey())) {
          throw new IllegalStateException(self + " believes it masters " + e.getKey() + " but has no such resource");
        }
      }
    }
    for (Held h : held.values()) {
      Known k = known.get(h.name);
      if (k == null || !k.locks.contains(h.id)) {
        throw new IllegalStateException(self + ": " + h + " is not registered with its resource");
      }
      if (running && h.existsAtMaster() && h.pending != Pending.DEFERRED && k.master == null) {
        throw new IllegalStateException(self + ": " + h + " lives at a master, but " + h.name + " has no known master");
      }
    }
  }
}
