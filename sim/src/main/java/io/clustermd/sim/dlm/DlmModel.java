package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.cluster.LockspaceNode;
import io.clustermd.dlm.core.cluster.NodeEffect;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.Slot;
import io.clustermd.sim.Checker;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.StopCause;
import io.clustermd.sim.View;
import io.clustermd.sim.WorldView;
import io.clustermd.sim.dlm.LockRecord.Op;
import io.clustermd.sim.dlm.LockRecord.OpKind;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run-scoped model of the dlm scenario: what every client called and every callback it got, per node
 * incarnation. Processes report into it; the workload reads it to pick targets; the checkers judge it. It
 * never looks inside a {@link LockspaceNode} except to describe one in a failure report and, at the end,
 * to ask whether it runs and masters nothing.
 */
final class DlmModel {

    /** One node incarnation: its lockspace member and its clients' locks. */
    static final class NodeState {
        final SimNodeId id;
        final NodeId nodeId;
        final LockspaceNode node;
        /** Locks that have not ended, in creation order. */
        final Map<LockId, LockRecord> locks = new LinkedHashMap<>();
        /** Locks that ended: any callback for them is a violation. */
        final Set<LockId> ended = new HashSet<>();
        StopCause stopped;
        /** Dead, and no live node has it in its view any more: its locks stopped counting. */
        boolean goneFromViews;
        boolean leaving;
        boolean readyToLeave;
        /** Members of the last recovery this node finished (recover_done); none before it joined. */
        List<NodeId> agreedMembers = List.of();
        /** Members of the last view the shell gave the core. */
        List<NodeId> viewMembers = List.of();
        /** Locking is stopped for a recovery (recover_prep, not yet recover_done). */
        boolean recovering;

        NodeState(SimNodeId id, LockspaceNode node) {
            this.id = id;
            this.nodeId = nodeId(id);
            this.node = node;
        }

        List<LockRecord> liveLocks() {
            return List.copyOf(locks.values());
        }

        /** Looks a lock up for a callback; reports one for an ended or unknown lock. */
        LockRecord forCallback(LockId lock, Object callback, CallbackChecker callbacks) {
            LockRecord r = locks.get(lock);
            if (r == null) {
                callbacks.violation(id + ": callback " + DlmText.describe(callback) + " for lock " + lock + ", "
                        + (ended.contains(lock) ? "which had ended" : "which no accepted call created"));
            }
            return r;
        }

        void endIfDone(LockRecord r) {
            if (r.ended) {
                locks.remove(r.id);
                ended.add(r.id);
            }
        }
    }

    /** What a call writes into the LVB: the value and whether the holder surely holds PW/EX at its master. */
    record Write(byte[] value, boolean certain) {}

    private final Map<SimNodeId, NodeState> nodes = new LinkedHashMap<>();
    final CallbackChecker callbacks = new CallbackChecker();
    final LvbChecker lvb = new LvbChecker();
    final SlotChecker slots = new SlotChecker();
    final CompatibilityChecker compatibility = new CompatibilityChecker(this);
    final LivenessChecker liveness = new LivenessChecker(this);
    private boolean grantsChanged;
    private long leavesReady;
    private long leavesUnready;

    static NodeId nodeId(SimNodeId id) {
        return new NodeId(id.name(), id.incarnation());
    }

    List<Checker> checkers() {
        return List.of(compatibility, callbacks, lvb, slots, liveness);
    }

    // ---------------------------------------------------------------- nodes

    NodeState started(SimNodeId id, LockspaceNode node) {
        NodeState n = new NodeState(id, node);
        nodes.put(id, n);
        return n;
    }

    NodeState node(SimNodeId id) {
        NodeState n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no dlm node " + id);
        }
        return n;
    }

    Collection<NodeState> nodes() {
        return nodes.values();
    }

    void stopped(SimNodeId id, StopCause cause) {
        NodeState n = node(id);
        n.stopped = cause;
        slots.stopped(n.nodeId, cause);
        if (cause == StopCause.LEFT) {
            if (n.readyToLeave) {
                leavesReady++;
            } else {
                leavesUnready++;
            }
        }
    }

    /**
     * Whether {@code n}'s locks count for compatibility: it can act, or it died but some live node still
     * has it in its view (recovery cannot have handed its locks to anyone yet).
     */
    boolean locksCount(NodeState n, WorldView world) {
        if (world.canAct(n.id)) {
            return true;
        }
        if (n.goneFromViews) {
            return false;
        }
        for (SimNodeId other : world.alive()) {
            View v = world.view(other).orElse(View.EMPTY);
            if (v.contains(n.id)) {
                return true;
            }
        }
        n.goneFromViews = true;
        return false;
    }

    boolean takeGrantsChanged() {
        boolean changed = grantsChanged;
        grantsChanged = false;
        return changed;
    }

    long leavesReady() {
        return leavesReady;
    }

    long leavesUnready() {
        return leavesUnready;
    }

    // ---------------------------------------------------------------- calls

    /** A new lock was accepted. */
    void lockAccepted(SimNodeId id, LockId lock, DlmSimMessage.LockCall call) {
        LockRecord r = new LockRecord(id, lock, call.resource(), call.withBuffer(), call.flags());
        r.ops.add(new Op(OpKind.REQUEST, call.mode(), call.flags(), readFloor(r, call.flags()), 0, false));
        node(id).locks.put(lock, r);
    }

    /** The LVB value a conversion writes (a PW/EX holder releasing with VALBLK), or null. */
    byte[] conversionWrite(SimNodeId id, DlmSimMessage.ConvertCall call) {
        LockRecord r = node(id).locks.get(call.lock());
        if (r == null || !r.withBuffer || !call.flags().has(LockFlag.VALBLK) || r.granted == null
                || r.inProgress() != null || !LvbChecker.conversionWrites(r.granted, call.mode())) {
            return null;
        }
        return lvb.freshValue();
    }

    void convertAccepted(SimNodeId id, DlmSimMessage.ConvertCall call, byte[] written) {
        LockRecord r = node(id).locks.get(call.lock());
        if (r == null) {
            callbacks.violation(id + " accepted " + call + " on a lock its client saw end");
            return;
        }
        LockFlags flags = call.flags().with(LockFlag.CONVERT);
        long value = written == null ? 0 : LvbChecker.decode(written);
        r.ops.add(new Op(OpKind.CONVERT, call.mode(), flags, readFloor(r, flags), value, false));
        r.lastCallFlags = flags;
        if (written != null) {
            r.buffer = value;
            lvb.written(r.resource, value, true);
        }
    }

    /**
     * The LVB value an unlock writes, or null: when the lock may hold PW/EX at its master (granted, or
     * being granted by a request or conversion in progress) and VALBLK is in effect (dlm.md §1.3: unlock
     * from PW/EX writes; the unlock's flags add to the lock's).
     */
    Write unlockWrite(SimNodeId id, LockId lock, LockFlags flags) {
        LockRecord r = node(id).locks.get(lock);
        if (r == null || !r.withBuffer || !(flags.has(LockFlag.VALBLK) || r.lastCallFlags.has(LockFlag.VALBLK))) {
            return null;
        }
        Op op = r.inProgress();
        boolean mayWrite = (r.granted != null && LvbChecker.writer(r.granted))
                || (op != null && LvbChecker.writer(op.mode()));
        return mayWrite ? new Write(lvb.freshValue(), op == null) : null;
    }

    void unlockAccepted(SimNodeId id, LockId lock, LockFlags flags, Write written) {
        LockRecord r = node(id).locks.get(lock);
        if (r == null) {
            callbacks.violation(id + " accepted an unlock of " + lock + ", a lock its client saw end");
            return;
        }
        r.ops.add(new Op(OpKind.UNLOCK, null, flags, 0, 0, false));
        if (written != null) {
            r.buffer = LvbChecker.decode(written.value());
            lvb.written(r.resource, r.buffer, written.certain());
            if (written.certain()) {
                lvb.ownWrite(id, r.resource, r.buffer); // an unlock cannot be cancelled
            }
        }
    }

    void cancelAccepted(SimNodeId id, LockId lock) {
        LockRecord r = node(id).locks.get(lock);
        if (r == null) {
            callbacks.violation(id + " accepted a cancel of " + lock + ", a lock its client saw end");
            return;
        }
        r.cancelIssued = true;
    }

    /**
     * A clean leave began; when the node runs, its core force-unlocks every lock not already being
     * unlocked, and each such unlock writes the client's buffer again if the lock may hold PW/EX with
     * VALBLK.
     */
    void leaveStarted(SimNodeId id, boolean unlocksNow) {
        NodeState n = node(id);
        n.leaving = true;
        if (!unlocksNow) {
            return;
        }
        for (LockRecord r : n.liveLocks()) {
            if (r.has(OpKind.UNLOCK)) {
                continue;
            }
            r.ops.add(new Op(OpKind.UNLOCK, null, LockFlags.of(LockFlag.FORCEUNLOCK), 0, 0, true));
            Op op = r.inProgress();
            boolean mayWrite = (r.granted != null && LvbChecker.writer(r.granted))
                    || (op != null && LvbChecker.writer(op.mode()));
            if (r.withBuffer && r.lastCallFlags.has(LockFlag.VALBLK) && mayWrite) {
                lvb.written(r.resource, r.buffer, op == null);
            }
        }
    }

    /** The shell is about to give {@code id}'s core a view of these members. */
    void viewPushed(SimNodeId id, List<NodeId> members) {
        NodeState n = node(id);
        n.viewMembers = members;
        mayRestoreLvbs(n);
    }

    /**
     * While {@code n} is stopped for a recovery that drops a member it had agreed on, each resource that member
     * mastered gets a new master, which takes the LVB from any surviving VALBLK lock held above CR, as its
     * holder's buffer holds it (dlm.md §8 Recovery 2, fs/dlm {@code recover_lvb}). From recover_prep to
     * recover_done those buffers change only by the client's own writes (fresh values), so they are noted when
     * locking stops or when a view shows the departure, whichever comes last.
     */
    private void mayRestoreLvbs(NodeState n) {
        if (!n.recovering || n.viewMembers.containsAll(n.agreedMembers)) {
            return;
        }
        for (LockRecord r : n.locks.values()) {
            if (r.withBuffer && r.lastCallFlags.has(LockFlag.VALBLK) && r.granted != null
                    && r.granted.value() > LockMode.CR.value()) {
                lvb.restorableByRecovery(r.resource, r.buffer);
            }
        }
    }

    void readyToLeave(SimNodeId id) {
        node(id).readyToLeave = true;
    }

    private int readFloor(LockRecord r, LockFlags flags) {
        return r.withBuffer && flags.has(LockFlag.VALBLK) ? lvb.floor(r.node, r.resource) : 0;
    }

    // ---------------------------------------------------------------- callbacks

    void effect(SimNodeId id, NodeEffect e) {
        NodeState n = node(id);
        if (e instanceof NodeEffect.Completed c) {
            LockRecord r = n.forCallback(c.lock(), c, callbacks);
            if (r == null) {
                return;
            }
            Op op = r.ops.peekFirst();
            if (c.lvb() != null) {
                lvb.read(r, op != null && op.kind() != OpKind.UNLOCK ? op : null, c);
            }
            callbacks.completed(r, c);
            if (op != null && op.written() != 0 && c.status() == io.clustermd.dlm.core.DlmStatus.OK) {
                lvb.ownWrite(id, r.resource, op.written()); // the conversion was granted: it wrote
            }
            n.endIfDone(r);
            grantsChanged = true;
        } else if (e instanceof NodeEffect.Blocked b) {
            LockRecord r = n.forCallback(b.lock(), b, callbacks);
            if (r != null) {
                callbacks.blocked(r, b);
            }
        } else if (e instanceof NodeEffect.Failed f) {
            LockRecord r = n.forCallback(f.lock(), f, callbacks);
            if (r != null) {
                callbacks.failed(r, id.toString(), f);
            }
        } else if (e instanceof NodeEffect.RecoverPrep) {
            n.recovering = true;
            mayRestoreLvbs(n);
        } else if (e instanceof NodeEffect.RecoverDone d) {
            n.recovering = false;
            n.agreedMembers = d.slots().stream().map(Slot::node).toList();
            slots.recoverDone(n.nodeId, d, n.node.agreedView());
        } else if (e instanceof NodeEffect.RecoverSlot s) {
            slots.recoverSlot(n.nodeId, s);
        } else if (e instanceof NodeEffect.JoinRefused j) {
            slots.violation(id + " was refused the lockspace although every node uses the same settings: "
                    + j.reason());
        } else if (e instanceof NodeEffect.ReadyToLeave) {
            n.readyToLeave = true;
        }
    }

    /** Every possible mode, for the workload's pick. */
    static final LockMode[] MODES = LockMode.values();
}
