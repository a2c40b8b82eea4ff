package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.sim.SimNodeId;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Set;

/**
 * One client lock as the scenario's model knows it: from the calls the workload made and the callbacks
 * the node gave, never from the node's internals. It is what a client of the DLM believes.
 */
final class LockRecord {

    /** A client operation that owes one completion (a cancel owes none of its own). */
    enum OpKind { REQUEST, CONVERT, UNLOCK }

    /**
     * An accepted operation awaiting its completion.
     *
     * @param lvbFloor the oldest LVB write (index) a read by this operation may return ({@link LvbChecker})
     * @param written the LVB value a conversion writes once granted (0: none); a conversion called while
     *     recovery runs waits, and may still be cancelled
     * @param implicit made by a clean leave (FORCEUNLOCK of everything), not by the workload
     */
    record Op(OpKind kind, LockMode mode, LockFlags flags, int lvbFloor, long written, boolean implicit) {}

    final SimNodeId node;
    final LockId id;
    final ResourceName resource;
    final boolean withBuffer;
    /** Accepted operations in call order; completions must answer them in this order. */
    final ArrayDeque<Op> ops = new ArrayDeque<>();
    /** The mode the last completion left the lock in; null before the first grant and once ended. */
    LockMode granted;
    boolean everGranted;
    /** The lock is gone (its last completion ended it); nothing may follow. */
    boolean ended;
    /** A completion without a mode ended the lock, but an unlock was promised: only EUNLOCK may follow. */
    boolean ending;
    /** A cancel was accepted since the last completion. */
    boolean cancelIssued;
    /** Flags of the last accepted request or conversion: the master copy's {@code exflags}. */
    LockFlags lastCallFlags;
    /** What the client's LVB buffer holds (a value of {@link LvbChecker}; 0 = zero-filled). */
    long buffer;

    LockRecord(SimNodeId node, LockId id, ResourceName resource, boolean withBuffer, LockFlags flags) {
        this.node = node;
        this.id = id;
        this.resource = resource;
        this.withBuffer = withBuffer;
        this.lastCallFlags = flags;
    }

    boolean has(OpKind kind) {
        for (Op op : ops) {
            if (op.kind() == kind) {
                return true;
            }
        }
        return false;
    }

    /** The request or conversion in progress, or null. */
    Op inProgress() {
        for (Op op : ops) {
            if (op.kind() != OpKind.UNLOCK) {
                return op;
            }
        }
        return null;
    }

    boolean live() {
        return !ended;
    }

    /**
     * The modes the lock may hold at its master while its holder believes {@link #granted}, or an empty set
     * when it holds nothing the holder may rely on. A PR&lt;-&gt;CW conversion may already be granted at the
     * master (the holder learns it from the reply); a CONVDEADLK conversion may be demoted to NL at any
     * time while it is queued (dlm.md §6, §7.1); an unlock gave the lock up when it was called.
     */
    Set<LockMode> possibleModes() {
        if (ended || granted == null || has(OpKind.UNLOCK)) {
            return Set.of();
        }
        EnumSet<LockMode> modes = EnumSet.of(granted);
        Op op = inProgress();
        if (op != null && op.kind() == OpKind.CONVERT) {
            if (granted.isMiddleConversionTo(op.mode())) {
                modes.add(op.mode());
            }
            if (op.flags().has(LockFlag.CONVDEADLK)) {
                modes.add(LockMode.NL);
            }
        }
        return modes;
    }

    @Override
    public String toString() {
        return node + "/" + id + " " + resource + " granted=" + granted + (ended ? " ended" : "")
                + (ending ? " ending" : "") + " ops=" + ops;
    }
}
