package io.clustermd.dlm.core.cluster;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.Lock;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.LockResource.LockSnapshot;
import io.clustermd.dlm.core.LockStatus;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.cluster.DlmMessage.Phase;
import io.clustermd.dlm.core.cluster.Held.Pending;
import io.clustermd.dlm.core.cluster.Mastered.Owner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One recovery run for one membership view (dlm.md §10.3), as ordered phases with a barrier after
 * each, coordinated by the lowest member:
 *
 * <ol>
 *   <li>stop: every member stops locking (recover_prep) and sends its {@link DlmMessage.Status};
 *   <li>directory: the coordinator assigns slots and the generation; every member fixes its
 *       in-flight operations, purges departed nodes' master copies and tells each directory node
 *       which resources it masters; barrier;
 *   <li>locks: resources whose master departed get a new master (the first to ask the directory)
 *       and survivors resend their locks to it; barrier;
 *   <li>resume: LVBs are rebuilt, recover_slot for each failed slot, recover_done, then what became
 *       grantable is granted (ignoring queue order), saved messages are replayed and in-flight
 *       operations resent.
 * </ol>
 *
 * A newer view abandons the run: every member starts the next one from the stop phase, and what
 * an abandoned run re-mastered is discarded.
 */
final class Recovery {

  /** Where this member is in the run. */
  enum Stage {
    /** Status sent; waiting for the coordinator's StartDirectory. */
    STOPPED,
    /** Directory names sent; collecting everyone's. */
    DIRECTORY,
    /** Re-mastering and resending locks. */
    LOCKS,
    /** Reported LOCKS done; waiting for Resume. */
    WAITING_RESUME
  }

  /** Recovery messages for views this member has not reached yet: kept, bounded, replayed later. */
  private static final int EARLY_MESSAGES_MAX = 10_000;

  final View view;
  /** This member's stop epoch for the run. */
  final long epoch;
  /** Set when the coordinator's StartDirectory was accepted. */
  DlmMessage.RunId runId;
  /** Every member's epoch as the coordinator started the run. */
  Map<NodeId, Long> epochs = Map.of();
  /** Messages of this run that came before its StartDirectory. */
  final List<Map.Entry<NodeId, DlmMessage.InRun>> beforeStart = new ArrayList<>();
  Stage stage = Stage.STOPPED;
  List<Slot> slots = List.of();
  long generation;
  final Set<NodeId> namesFrom = new HashSet<>();
  final Set<ResourceName> awaitingLookup = new HashSet<>();
  final Set<ResourceName> awaitingAck = new HashSet<>();
  final Map<ResourceName, List<Map.Entry<NodeId, DlmMessage.RecoverLocks>>> parkedLocks = new HashMap<>();

  // Coordinator only.
  final Set<NodeId> directoryDone = new HashSet<>();
  final Set<NodeId> locksDone = new HashSet<>();
  boolean startedDirectory;

  private Recovery(View view, long epoch) {
    this.view = view;
    this.epoch = epoch;
  }

  /**
   * The coordinator abandoned this attempt (a member restarted its stop): forget its progress and
   * wait for the next StartDirectory. What the attempt did locally is redone idempotently.
   */
  private void reset() {
    stage = Stage.STOPPED;
    runId = null;
    epochs = Map.of();
    namesFrom.clear();
    awaitingLookup.clear();
    awaitingAck.clear();
    parkedLocks.clear();
    directoryDone.clear();
    locksDone.clear();
    startedDirectory = false;
  }

  String describe() {
    return stage + " names=" + namesFrom + " lookups=" + awaitingLookup + " acks=" + awaitingAck
        + " parked=" + parkedLocks.keySet() + " dirDone=" + directoryDone + " locksDone=" + locksDone + " started=" + startedDirectory;
  }

  /** Per node: the latest Status each member sent, and recovery messages for future views. */
  static final class Mailbox {
    final Map<NodeId, DlmMessage.Status> statuses = new HashMap<>();
    /** Each member's epoch in the last run this node accepted: its older statuses are stale. */
    final Map<NodeId, Long> usedEpochs = new HashMap<>();
    final Deque<Map.Entry<NodeId, DlmMessage.Recovery>> early = new ArrayDeque<>();
  }

  private static Mailbox mailbox(LockspaceNode n) {
    return n.mailbox;
  }

  // ---------------------------------------------------------------------------------------------
  // Stop
  // ---------------------------------------------------------------------------------------------

  static void onView(LockspaceNode n, View view, List<NodeEffect> out) {
    if (!view.contains(n.self)) {
      // Downed or removed: the node must stop acting on its locks at once (DESIGN.md §8).
      n.removed = true;
      n.running = false;
      return;
    }
    if (n.running && view.sameMembers(n.agreed)) {
      return;
    }
    if (!n.running && view.sameMembers(n.current)) {
      return;
    }
    stop(n, view, out);
  }

  /** Stops locking and starts a run for {@code view}: a new epoch, and our Status to every member. */
  private static void stop(LockspaceNode n, View view, List<NodeEffect> out) {
    boolean wasRunning = n.running;
    n.current = view;
    n.running = false;
    if (wasRunning) {
      out.add(new NodeEffect.RecoverPrep());
    }
    n.run = new Recovery(view, ++n.stopEpoch);
    DlmMessage.Status status =
        new DlmMessage.Status(view.members(), n.ownSlot > 0 ? n.ownSlot : ourSlot(n.slots, n.self), n.generation,
            n.lvbLength, n.stopEpoch);
    mailbox(n).statuses.put(n.self, status);
    for (NodeId member : view.members()) {
      if (!member.equals(n.self)) {
        out.add(n.send(member, status));
      }
    }
    replayEarly(n, out);
    coordinate(n, out);
  }

  private static int ourSlot(List<Slot> slots, NodeId self) {
    for (Slot s : slots) {
      if (s.node().equals(self)) {
        return s.slot();
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Dispatch
  // ---------------------------------------------------------------------------------------------

  static void receive(LockspaceNode n, NodeId from, DlmMessage.Recovery m, List<NodeEffect> out) {
    if (m instanceof DlmMessage.Status s) {
      onStatus(n, from, s, out);
      return;
    }
    if (m instanceof DlmMessage.JoinRefused r) {
      if (n.current != null && r.members().equals(n.current.members())) {
        n.removed = true;
        n.running = false;
        out.add(new NodeEffect.JoinRefused(r.reason()));
      }
      return;
    }
    DlmMessage.InRun in = (DlmMessage.InRun) m;
    Recovery run = n.run;
    if (run == null || !in.members().equals(run.view.members())) {
      if (!n.running || n.agreed == null || !in.members().equals(n.agreed.members())) {
        Deque<Map.Entry<NodeId, DlmMessage.Recovery>> early = mailbox(n).early;
        early.add(Map.entry(from, m));
        while (early.size() > EARLY_MESSAGES_MAX) {
          early.poll();
        }
      }
      return;
    }
    if (m instanceof DlmMessage.StartDirectory s) {
      run.startDirectory(n, s, out);
      return;
    }
    if (run.runId == null || in.run().coordinatorEpoch() > run.runId.coordinatorEpoch()) {
      if (run.beforeStart.size() < EARLY_MESSAGES_MAX) {
        run.beforeStart.add(Map.entry(from, in)); // of an attempt whose StartDirectory is still on its way
      }
      return;
    }
    if (!in.run().equals(run.runId)) {
      return; // a message of an abandoned attempt
    }
    if (m instanceof DlmMessage.DirectoryNames d) {
      run.onNames(n, from, d, out);
    } else if (m instanceof DlmMessage.PhaseDone p) {
      run.onPhaseDone(n, from, p, out);
    } else if (m instanceof DlmMessage.StartMasters) {
      run.startMasters(n, out);
    } else if (m instanceof DlmMessage.RecoveryLookup l) {
      run.onRecoveryLookup(n, from, l, out);
    } else if (m instanceof DlmMessage.RecoveryLookupReply r) {
      run.onRecoveryLookupReply(n, r, out);
    } else if (m instanceof DlmMessage.RecoverLocks l) {
      run.onRecoverLocks(n, from, l, out);
    } else if (m instanceof DlmMessage.RecoverLocksAck a) {
      run.onRecoverLocksAck(n, a, out);
    } else if (m instanceof DlmMessage.Resume r) {
      run.resume(n, r, out);
    }
  }

  private static void replayEarly(LockspaceNode n, List<NodeEffect> out) {
    Deque<Map.Entry<NodeId, DlmMessage.Recovery>> early = mailbox(n).early;
    List<Map.Entry<NodeId, DlmMessage.Recovery>> now = new ArrayList<>();
    Iterator<Map.Entry<NodeId, DlmMessage.Recovery>> it = early.iterator();
    while (it.hasNext()) {
      Map.Entry<NodeId, DlmMessage.Recovery> e = it.next();
      if (e.getValue().members().equals(n.current.members())) {
        now.add(e);
        it.remove();
      }
    }
    for (Map.Entry<NodeId, DlmMessage.Recovery> e : now) {
      receive(n, e.getKey(), e.getValue(), out);
    }
  }

  /**
   * A member stopped. A running member with the same view was not told of the change that made
   * the sender stop (a node joined and died before it saw it): it stops too. A member whose run
   * started with an older epoch of the sender learns that the sender restarted: the run is stale.
   */
  private static void onStatus(LockspaceNode n, NodeId from, DlmMessage.Status s, List<NodeEffect> out) {
    DlmMessage.Status previous = mailbox(n).statuses.get(from);
    Long used = mailbox(n).usedEpochs.get(from);
    if ((previous != null && previous.epoch() > s.epoch()) || (used != null && s.epoch() <= used)) {
      return;
    }
    mailbox(n).statuses.put(from, s);
    if (n.running && n.agreed != null && s.members().equals(n.agreed.members())) {
      stop(n, n.agreed, out);
      return;
    }
    Recovery run = n.run;
    if (run != null && run.startedDirectory && s.members().equals(run.view.members())) {
      Long inRun = run.epochs.get(from);
      if (inRun == null || inRun < s.epoch()) {
        // Only the coordinator reacts: it abandons the attempt and starts the next one, so a
        // member's restart never cascades into others'.
        run.reset();
      }
    }
    coordinate(n, out);
  }

  // ---------------------------------------------------------------------------------------------
  // Coordinator
  // ---------------------------------------------------------------------------------------------

  /** When every member has stopped in this view: check settings, assign slots, start the directory phase. */
  private static void coordinate(LockspaceNode n, List<NodeEffect> out) {
    Recovery run = n.run;
    if (run == null || run.startedDirectory || !run.view.coordinator().equals(n.self) || n.running) {
      return;
    }
    Map<NodeId, DlmMessage.Status> statuses = mailbox(n).statuses;
    for (NodeId member : run.view.members()) {
      DlmMessage.Status s = statuses.get(member);
      if (s == null || !s.members().equals(run.view.members())) {
        return;
      }
    }
    // The lockspace's LVB length is the established members' (generation > 0); only when every
    // member is new does the coordinator's own length decide. A newcomer that differs is refused,
    // even when it is the coordinator itself (§8: -EPROTO to the joiner, never to the members).
    int established = n.lvbLength;
    for (NodeId member : run.view.members()) {
      DlmMessage.Status s = statuses.get(member);
      if (s.generation() > 0) {
        established = s.lvbLength();
        break;
      }
    }
    boolean refused = false;
    for (NodeId member : run.view.members()) {
      DlmMessage.Status s = statuses.get(member);
      if (s.lvbLength() != established) {
        refused = true;
        String reason = "lockspace " + n.lockspace + " uses an LVB length of " + established + " bytes; " + member
            + " asked for " + s.lvbLength();
        if (member.equals(n.self)) {
          n.removed = true;
          n.running = false;
          out.add(new NodeEffect.JoinRefused(reason));
        } else {
          out.add(n.send(member, new DlmMessage.JoinRefused(run.view.members(), reason)));
        }
      }
    }
    if (refused) {
      return; // the refused members leave, and the next view runs without them
    }
    run.startedDirectory = true;
    long generation = 0;
    Map<NodeId, Integer> assigned = new HashMap<>();
    Set<Integer> taken = new TreeSet<>();
    for (NodeId member : run.view.members()) {
      DlmMessage.Status s = statuses.get(member);
      generation = Math.max(generation, s.generation());
      if (s.slot() > 0 && taken.add(s.slot())) {
        assigned.put(member, s.slot());
      }
    }
    List<Slot> slots = new ArrayList<>();
    for (NodeId member : run.view.members()) {
      Integer slot = assigned.get(member);
      if (slot == null) {
        slot = 1;
        while (taken.contains(slot)) {
          slot++;
        }
        taken.add(slot);
      }
      slots.add(new Slot(member, slot));
    }
    List<NodeId> epochNodes = new ArrayList<>();
    List<Long> epochs = new ArrayList<>();
    for (NodeId member : run.view.members()) {
      epochNodes.add(member);
      epochs.add(statuses.get(member).epoch());
    }
    DlmMessage.RunId id = new DlmMessage.RunId(run.view.members(), ++n.attempt);
    broadcast(n, run.view, new DlmMessage.StartDirectory(id, List.copyOf(slots), generation + 1, epochNodes, epochs), out);
  }

  private void onPhaseDone(LockspaceNode n, NodeId from, DlmMessage.PhaseDone p, List<NodeEffect> out) {
    if (!view.coordinator().equals(n.self)) {
      return;
    }
    Set<NodeId> done = p.phase() == Phase.DIRECTORY ? directoryDone : locksDone;
    done.add(from);
    if (done.size() < view.members().size() || !done.containsAll(view.members())) {
      return;
    }
    if (p.phase() == Phase.DIRECTORY) {
      broadcast(n, view, new DlmMessage.StartMasters(runId), out);
    } else {
      broadcast(n, view, new DlmMessage.Resume(runId, slots, generation), out);
    }
  }

  /** Sends to every member; the message to ourselves is handled at once, after the others are queued. */
  private static void broadcast(LockspaceNode n, View view, DlmMessage.Recovery m, List<NodeEffect> out) {
    for (NodeId member : view.members()) {
      if (!member.equals(n.self)) {
        out.add(n.send(member, m));
      }
    }
    receive(n, n.self, m, out);
  }

  // ---------------------------------------------------------------------------------------------
  // Directory phase
  // ---------------------------------------------------------------------------------------------

  private void startDirectory(LockspaceNode n, DlmMessage.StartDirectory s, List<NodeEffect> out) {
    int me = s.epochNodes().indexOf(n.self);
    if (me < 0 || s.epochs().get(me) != epoch) {
      return; // not the stop we are in
    }
    if (runId != null) {
      if (s.run().coordinatorEpoch() <= runId.coordinatorEpoch()) {
        return; // an older or the same attempt
      }
      reset(); // the coordinator abandoned our attempt for this one
    }
    runId = s.run();
    Map<NodeId, Long> used = new HashMap<>();
    for (int i = 0; i < s.epochNodes().size(); i++) {
      used.put(s.epochNodes().get(i), s.epochs().get(i));
    }
    epochs = used;
    mailbox(n).usedEpochs.putAll(used);
    slots = s.slots();
    n.ownSlot = ourSlot(s.slots(), n.self);
    generation = s.generation();
    fixInFlightOperations(n, out);
    resetMasters(n);
    purgeDeparted(n);
    n.directory.clear();
    Map<NodeId, List<ResourceName>> names = new HashMap<>();
    for (NodeId member : view.members()) {
      names.put(member, new ArrayList<>());
    }
    for (ResourceName name : n.mastered.keySet()) {
      names.get(Directory.nodeFor(name, view.members())).add(name);
    }
    stage = Stage.DIRECTORY;
    for (NodeId member : view.members()) {
      DlmMessage.DirectoryNames msg = new DlmMessage.DirectoryNames(runId, List.copyOf(names.get(member)));
      if (member.equals(n.self)) {
        onNames(n, n.self, msg, out);
      } else {
        out.add(n.send(member, msg));
      }
    }
    List<Map.Entry<NodeId, DlmMessage.InRun>> before = new ArrayList<>(beforeStart);
    beforeStart.clear();
    for (Map.Entry<NodeId, DlmMessage.InRun> e : before) {
      if (e.getValue().run().coordinatorEpoch() >= runId.coordinatorEpoch()) {
        receive(n, e.getKey(), e.getValue(), out);
      }
    }
  }

  private void onNames(LockspaceNode n, NodeId from, DlmMessage.DirectoryNames d, List<NodeEffect> out) {
    for (ResourceName name : d.names()) {
      n.directory.put(name, from);
    }
    namesFrom.add(from);
    if (stage == Stage.DIRECTORY && namesFrom.containsAll(view.members())) {
      report(n, Phase.DIRECTORY, out);
    }
  }

  private void report(LockspaceNode n, Phase phase, List<NodeEffect> out) {
    DlmMessage.PhaseDone done = new DlmMessage.PhaseDone(runId, phase);
    if (view.coordinator().equals(n.self)) {
      onPhaseDone(n, n.self, done, out);
    } else {
      out.add(n.send(view.coordinator(), done));
    }
  }

  /**
   * dlm.md §10.3 step 4 ({@code dlm_recover_waiters_pre}): an operation in flight to a departed
   * master is resent later (request, conversion) or completed here (unlock, cancel).
   */
  private void fixInFlightOperations(LockspaceNode n, List<NodeEffect> out) {
    for (Held h : new ArrayList<>(n.held.values())) {
      Known k = n.known.get(h.name);
      NodeId master = k == null ? null : k.agreedMaster;
      boolean masterGone = master == null || !view.contains(master);
      switch (h.pending) {
        case REQUEST -> {
          if (masterGone) {
            h.pending = Pending.NONE;
            h.resendRequest = true;
          }
        }
        case CONVERT -> {
          if (masterGone && outcomeUncertain(h)) {
            // The departed master may have granted it (PR<->CW) or demoted us for it (CONVDEADLK) and
            // granted others accordingly; resending from our old mode could contradict them. fs/dlm fakes
            // a "queued" reply and lets the new master settle the mode (§10.3 step 4 and 5d).
            h.pending = Pending.NONE;
            h.status = LockStatus.CONVERT;
            h.queuedByRecovery = true;
          } else if (masterGone) {
            h.pending = Pending.NONE;
            h.resendConvert = true;
            h.resendMode = h.rqmode;
            h.resendFlags = h.flags;
            h.rqmode = null;
          }
        }
        case UNLOCK -> {
          if (masterGone) {
            n.holderCompleted(h, DlmStatus.EUNLOCK, null, 0, null, 0, out);
          }
        }
        case CANCEL -> {
          if (masterGone) {
            // fs/dlm fakes an ECANCEL reply: the lock keeps the mode it holds. A queued CONVDEADLK
            // conversion may hold only NL there (demoted unawares, others granted accordingly), and is
            // re-created so (Held#snapshot): its cancel ends at NL too, as the master's cancel would have
            // (sim seed 920: it completed at its old PW, which the new master then restored beside the PW
            // the departed master had granted in its place).
            n.holderCompleted(h, DlmStatus.ECANCEL, h.grantedModeForRecovery(), 0, null, 0, out);
          }
        }
        default -> {}
      }
    }
    for (Known k : n.known.values()) {
      k.lookupOutstanding = false;
    }
  }

  /** A conversion whose outcome at a departed master cannot be inferred from our old mode. */
  private static boolean outcomeUncertain(Held h) {
    return h.grmode.isMiddleConversionTo(h.rqmode) || h.flags.has(LockFlag.CONVDEADLK);
  }

  /** Forget what an abandoned run re-mastered; a master that departed is unknown again. */
  private void resetMasters(LockspaceNode n) {
    n.mastered.values().removeIf(m -> m.tentative);
    for (Known k : n.known.values()) {
      k.master = k.agreedMaster != null && view.contains(k.agreedMaster) ? k.agreedMaster : null;
    }
    for (Held h : n.held.values()) {
      Known k = n.known.get(h.name);
      if (h.existsAtMaster() && k.master == null) {
        h.masterId = null;
      }
    }
  }

  /** dlm.md §10.3 5a: departed nodes' master copies vanish; unused resources are dropped. */
  private void purgeDeparted(LockspaceNode n) {
    Iterator<Map.Entry<ResourceName, Mastered>> it = n.mastered.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ResourceName, Mastered> entry = it.next();
      Mastered m = entry.getValue();
      for (LockId id : m.core.lockIds()) {
        Owner o = m.owners.get(id);
        if (!view.contains(o.node())) {
          m.core.purge(id);
          m.owners.remove(id);
          m.regrant = true;
        }
      }
      if (m.core.isUnused()) {
        // Dropped, so not named to the new directory: nobody, ourselves included, may keep
        // believing we master it, or a later request would create a second master.
        it.remove();
        Known k = n.known.get(entry.getKey());
        if (k != null && n.self.equals(k.master)) {
          k.master = null;
          k.agreedMaster = null;
        }
      }
    }
    n.parked.values().forEach(list -> list.forEach(n.saved::add));
    n.parked.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // Locks phase
  // ---------------------------------------------------------------------------------------------

  private void startMasters(LockspaceNode n, List<NodeEffect> out) {
    if (stage != Stage.DIRECTORY) {
      return;
    }
    stage = Stage.LOCKS;
    for (ResourceName name : namesNeedingMaster(n)) {
      NodeId dir = Directory.nodeFor(name, view.members());
      if (dir.equals(n.self)) {
        NodeId master = n.directory.computeIfAbsent(name, x -> n.self);
        masterFound(n, name, master, out);
      } else {
        awaitingLookup.add(name);
        out.add(n.send(dir, new DlmMessage.RecoveryLookup(runId, name)));
      }
    }
    checkLocksDone(n, out);
  }

  private static Set<ResourceName> namesNeedingMaster(LockspaceNode n) {
    Set<ResourceName> names = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
    for (Held h : n.held.values()) {
      Known k = n.known.get(h.name);
      if (h.existsAtMaster() && k.master == null) {
        names.add(h.name);
      }
    }
    return names;
  }

  private void onRecoveryLookup(LockspaceNode n, NodeId from, DlmMessage.RecoveryLookup l, List<NodeEffect> out) {
    NodeId master = n.directory.computeIfAbsent(l.name(), x -> from);
    out.add(n.send(from, new DlmMessage.RecoveryLookupReply(runId, l.name(), master)));
  }

  private void onRecoveryLookupReply(LockspaceNode n, DlmMessage.RecoveryLookupReply r, List<NodeEffect> out) {
    if (awaitingLookup.remove(r.name())) {
      masterFound(n, r.name(), r.master(), out);
      checkLocksDone(n, out);
    }
  }

  /** The new master is known: become it (restoring our own locks), or send it our locks. */
  private void masterFound(LockspaceNode n, ResourceName name, NodeId master, List<NodeEffect> out) {
    Known k = n.knownFor(name);
    k.master = master;
    List<Held> ours = new ArrayList<>();
    for (LockId id : k.locks) {
      Held h = n.held.get(id);
      if (h != null && h.existsAtMaster()) {
        ours.add(h);
      }
    }
    if (master.equals(n.self)) {
      Mastered m = new Mastered(name, n.lvbLength);
      m.tentative = true;
      m.remastered = true;
      m.regrant = true;
      n.mastered.put(name, m);
      for (Held h : ours) {
        LockId masterId = n.newLockId();
        restore(m, masterId, h.snapshot(), n.self);
        h.masterId = masterId;
      }
      List<Map.Entry<NodeId, DlmMessage.RecoverLocks>> waiting = parkedLocks.remove(name);
      if (waiting != null) {
        for (Map.Entry<NodeId, DlmMessage.RecoverLocks> e : waiting) {
          onRecoverLocks(n, e.getKey(), e.getValue(), out);
        }
      }
    } else {
      List<LockSnapshot> snapshots = new ArrayList<>();
      for (Held h : ours) {
        snapshots.add(h.snapshot());
      }
      awaitingAck.add(name);
      out.add(n.send(master, new DlmMessage.RecoverLocks(runId, name, snapshots)));
    }
  }

  private static void restore(Mastered m, LockId masterId, LockSnapshot s, NodeId owner) {
    LockMode gr = s.grantedMode();
    if (gr != null && s.requestedMode() != null && gr.isMiddleConversionTo(s.requestedMode())) {
      // Held mode unknown until every lock is back (resolveMiddleConversions); NL meanwhile, so that
      // the resource never holds incompatible modes.
      m.unsettled.add(masterId);
      gr = LockMode.NL;
    }
    m.core.restore(new LockSnapshot(masterId, gr, s.requestedMode(), s.flags(), s.lvb(), s.lvbSequence(), s.wantsBlockingCallbacks()));
    m.owners.put(masterId, new Owner(owner, s.id()));
  }

  private void onRecoverLocks(LockspaceNode n, NodeId from, DlmMessage.RecoverLocks l, List<NodeEffect> out) {
    Mastered m = n.mastered.get(l.name());
    // A run that finished here but that the sender abandoned: it looked the master up again and re-sent
    // locks we already restored. fs/dlm answers such an RCOM_LOCK with -EEXIST and the id it already has
    // (dlm_recover_master_copy), which the holder takes as success.
    boolean resent = m != null && !m.tentative && alreadyRestored(m, from, l);
    if (m == null || !(m.tentative || resent)) {
      parkedLocks.computeIfAbsent(l.name(), x -> new ArrayList<>()).add(Map.entry(from, l));
      return;
    }
    List<LockId> holderIds = new ArrayList<>();
    List<LockId> masterIds = new ArrayList<>();
    for (LockSnapshot s : l.locks()) {
      LockId masterId;
      if (resent) {
        masterId = masterIdOf(m, from, s.id());
      } else {
        masterId = n.newLockId();
        restore(m, masterId, s, from);
      }
      holderIds.add(s.id());
      masterIds.add(masterId);
    }
    out.add(n.send(from, new DlmMessage.RecoverLocksAck(runId, l.name(), holderIds, masterIds)));
  }

  /** Whether every lock in {@code l} already has a master copy here owned by {@code from}. */
  private static boolean alreadyRestored(Mastered m, NodeId from, DlmMessage.RecoverLocks l) {
    for (LockSnapshot s : l.locks()) {
      if (masterIdOf(m, from, s.id()) == null) {
        return false;
      }
    }
    return !l.locks().isEmpty();
  }

  private static LockId masterIdOf(Mastered m, NodeId from, LockId holderId) {
    for (Map.Entry<LockId, Mastered.Owner> e : m.owners.entrySet()) {
      if (e.getValue().node().equals(from) && e.getValue().holderId().equals(holderId)) {
        return e.getKey();
      }
    }
    return null;
  }

  private void onRecoverLocksAck(LockspaceNode n, DlmMessage.RecoverLocksAck a, List<NodeEffect> out) {
    if (!awaitingAck.remove(a.name())) {
      return;
    }
    for (int i = 0; i < a.holderIds().size(); i++) {
      Held h = n.held.get(a.holderIds().get(i));
      if (h != null) {
        h.masterId = a.masterIds().get(i);
      }
    }
    checkLocksDone(n, out);
  }

  private void checkLocksDone(LockspaceNode n, List<NodeEffect> out) {
    if (stage == Stage.LOCKS && awaitingLookup.isEmpty() && awaitingAck.isEmpty()) {
      stage = Stage.WAITING_RESUME;
      // Directory operations saved so far belong to the old directory (§10.3 step 6). Anything
      // that arrives from here on was sent after its sender resumed, so it is kept.
      n.saved.removeIf(e -> e.message() instanceof DlmMessage.DirectoryOp);
      report(n, Phase.LOCKS, out);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Resume
  // ---------------------------------------------------------------------------------------------

  private void resume(LockspaceNode n, DlmMessage.Resume r, List<NodeEffect> out) {
    if (stage != Stage.WAITING_RESUME) {
      return;
    }
    View previous = n.agreed;
    List<Slot> previousSlots = n.slots;
    n.agreed = view;
    n.slots = r.slots();
    n.generation = r.generation();
    n.running = true;
    n.run = null;
    // Statuses of this run are spent (a later run with the same members collects new ones);
    // statuses for other views, e.g. from a member that is already joining, are kept.
    mailbox(n).statuses.values().removeIf(st -> st.members().equals(view.members()));
    for (Known k : n.known.values()) {
      k.agreedMaster = k.master;
    }
    for (Mastered m : n.mastered.values()) {
      if (m.remastered) {
        resolveMiddleConversions(m);
        m.core.recoverLvbFromHolders();
      }
      m.tentative = false;
      m.remastered = false;
    }
    if (previous != null) {
      for (Slot s : previousSlots) {
        if (!view.contains(s.node()) && !view.leftCleanly().contains(s.node())) {
          out.add(new NodeEffect.RecoverSlot(s.node(), s.slot()));
        }
      }
    }
    out.add(new NodeEffect.RecoverDone(n.slots, ourSlot(n.slots, n.self), n.generation));
    for (Mastered m : new ArrayList<>(n.mastered.values())) {
      if (m.regrant) {
        m.regrant = false;
        n.applyMaster(m, new io.clustermd.dlm.core.Step.Accepted(m.core.grantPending(true)), null, null, false, out);
      }
    }
    List<LockspaceNode.Envelope> replay = new ArrayList<>(n.saved);
    n.saved.clear();
    for (LockspaceNode.Envelope e : replay) {
      if (view.contains(e.from())) {
        n.receive(e.from(), e.message(), out);
      }
    }
    for (Held h : new ArrayList<>(n.held.values())) {
      if (h.queuedByRecovery) {
        h.queuedByRecovery = false;
        n.afterQueuedByRecovery(h, out);
      } else if (h.resendRequest) {
        h.resendRequest = false;
        n.startRequest(h, out);
      } else if (h.resendConvert) {
        h.resendConvert = false;
        resendConvert(n, h, out);
      } else if (h.pending == Pending.MASTER) {
        n.startRequest(h, out);
      }
    }
    n.runDeferred(out);
  }

  /**
   * dlm.md §10.3 step 5d ({@code recover_conversion}): a re-mastered PR&lt;-&gt;CW conversion may already
   * have been granted by the departed master (its grant lost with it), and others granted in turn; it was
   * restored as NL. Its held mode is now taken from a granted PR or CW lock if there is one (the two
   * cannot coexist), else it is the requested mode; either way it agrees with every granted lock, and the
   * regrant that follows completes the conversion if its held and requested modes agree.
   */
  private static void resolveMiddleConversions(Mastered m) {
    if (m.unsettled.isEmpty()) {
      return;
    }
    LockMode granted = null;
    // fs/dlm looks at the grant queue only; a PR or CW held by a lock that is itself converting (the
    // convert queue) binds just as much (sim seed 1265: a PR holder converting to PW, and a CW->CW
    // settlement beside it broke compatibility).
    List<Lock> holders = new ArrayList<>(m.core.grantQueue());
    holders.addAll(m.core.convertQueue());
    for (Lock l : holders) {
      if (m.unsettled.contains(l.id())) {
        continue;
      }
      if (l.grantedMode() == LockMode.PR || l.grantedMode() == LockMode.CW) {
        granted = l.grantedMode();
        break;
      }
    }
    for (LockId id : m.unsettled) {
      Lock l = m.core.lock(id);
      if (l == null || l.requestedMode() == null) {
        continue;
      }
      LockMode resolved = granted != null ? granted : l.requestedMode();
      LockSnapshot settled =
          new LockSnapshot(id, resolved, l.requestedMode(), l.flags(), l.lvb(), l.lvbSequence(), l.wantsBlockingCallbacks());
      m.core.purge(id); // clears the lock's modes: the snapshot is taken first
      m.core.restore(settled);
    }
    m.unsettled.clear();
  }

  private static void resendConvert(LockspaceNode n, Held h, List<NodeEffect> out) {
    h.pending = Pending.NONE;
    h.status = LockStatus.GRANTED;
    LockspaceNode.Result r =
        n.convert(h.id, h.resendMode, h.resendFlags.without(LockFlag.CONVERT), null, n.now);
    if (r instanceof LockspaceNode.Result.Accepted a) {
      out.addAll(a.effects());
    } else if (r instanceof LockspaceNode.Result.Rejected rej && h.visible()) {
      out.add(new NodeEffect.Failed(h.id, rej.error(), rej.reason()));
    }
  }
}
