package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.SbFlag;
import io.clustermd.dlm.core.cluster.NodeEffect;
import io.clustermd.sim.Checker;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.WorldView;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * (c) An LVB read returns the last value written by a PW/EX holder, or is flagged VALNOTVALID (dlm.md §1.3,
 * §8). Every value the workload writes is unique (a counter, repeated over the block so a torn copy shows),
 * so a read names the write it saw.
 *
 * <p>Writes of one resource are ordered by the lock itself: a PW/EX holder writes when it releases, and the
 * next PW/EX holder is granted only after the master applied that release, so call order is write order. A
 * write may be lost (its writer or master died first, and the LVB is then flagged or keeps the older value),
 * but a value never goes back once seen. So an unflagged read must return a written value no older than
 * (1) any value a read completed before this one was called, and (2) any write this node called before it
 * (its messages reach the master in order). An all-zero block is "no value" (never written, or freed with
 * the resource's last lock) and is not checked. A write whose holder may not yet hold PW/EX at its master is
 * not ordered (see {@link #written}); reading its value is checked only for having been written.
 *
 * <p>One exception to "never goes back": a new master rebuilds the LVB from the survivors' locks and takes,
 * as valid, the buffer of any VALBLK lock held above CR (fs/dlm {@code recover_lvb}, dlm.md §8 Recovery 2).
 * That buffer can be older than the resource's last write: the lock was granted its mode without VALBLK (so
 * it read nothing), or read a value flagged VALNOTVALID. Such a value is readable but not ordered (see
 * {@link #restorableByRecovery}).
 */
final class LvbChecker implements Checker {

    /** Bytes per LVB in the scenario's lockspace (userspace's 32). */
    static final int LVB_LENGTH = 32;

    /**
     * Whether releasing {@code granted} for {@code requested} writes the LVB (dlm.md §1.3, W entries: PW and
     * EX write on down-conversion and same-mode reconversion; PW->EX reads). Rows: granted NL..EX; columns:
     * requested NL..EX.
     */
    private static final boolean[][] WRITES = {
        //            NL     CR     CW     PR     PW     EX
        /* NL */ {false, false, false, false, false, false},
        /* CR */ {false, false, false, false, false, false},
        /* CW */ {false, false, false, false, false, false},
        /* PR */ {false, false, false, false, false, false},
        /* PW */ {true,  true,  true,  true,  true,  false},
        /* EX */ {true,  true,  true,  true,  true,  true},
    };

    private static final class History {
        /** Values of certain writes, numbered in call order (= write order, see the class comment). */
        final Map<Long, Integer> indexOf = new HashMap<>();
        /** Values whose write may happen at an unknown later point: readable, not ordered. */
        final Set<Long> unordered = new HashSet<>();
        int writes;
        /** The newest write an unflagged read has returned so far. */
        int seen;
    }

    private final Map<ResourceName, History> resources = new HashMap<>();
    private final Map<SimNodeId, Map<ResourceName, Integer>> ownWrites = new HashMap<>();
    private long nextValue = 1;
    private String violation;
    private long reads;
    private long checkedReads;

    @Override
    public String name() {
        return "dlm-lvb";
    }

    @Override
    public void afterEvent(WorldView world) {
        Checker.require(violation == null, violation);
    }

    static boolean conversionWrites(LockMode granted, LockMode requested) {
        return WRITES[granted.value()][requested.value()];
    }

    static boolean writer(LockMode mode) {
        return mode == LockMode.PW || mode == LockMode.EX;
    }

    /** A fresh value to write: unique in the run and never all zero. */
    byte[] freshValue() {
        long v = nextValue++;
        ByteBuffer b = ByteBuffer.allocate(LVB_LENGTH);
        while (b.hasRemaining()) {
            b.putLong(v);
        }
        return b.array();
    }

    /** The oldest write a read on {@code resource} that {@code node} calls now may return. */
    int floor(SimNodeId node, ResourceName resource) {
        History h = resources.get(resource);
        int seen = h == null ? 0 : h.seen;
        int own = ownWrites.getOrDefault(node, Map.of()).getOrDefault(resource, 0);
        return Math.max(seen, own);
    }

    /**
     * A call that writes {@code value} was accepted (or a clean leave force-unlocks a lock that may hold PW/EX
     * with VALBLK, and its master writes whatever the client's buffer holds, again).
     *
     * @param certain the holder surely holds PW/EX at its master, so the write takes its place in call order.
     *     Otherwise (an unlock while a request or conversion to PW/EX is in progress) the master writes only
     *     if and when it has granted that mode, possibly after writes called later: such a value may be read,
     *     but is not ordered.
     */
    void written(ResourceName resource, long value, boolean certain) {
        if (value == 0) {
            return;
        }
        History h = resources.computeIfAbsent(resource, r -> new History());
        if (certain) {
            h.indexOf.put(value, ++h.writes);
        } else {
            h.unordered.add(value);
        }
    }

    /**
     * {@code node}'s write of {@code value} surely happened or will happen before anything it calls from now
     * on (an unlock, or a conversion that was granted): its own later reads must see it or a newer write.
     */
    void ownWrite(SimNodeId node, ResourceName resource, long value) {
        History h = resources.get(resource);
        Integer index = h == null ? null : h.indexOf.get(value);
        if (index != null) {
            ownWrites.computeIfAbsent(node, n -> new HashMap<>()).merge(resource, index, Math::max);
        }
    }

    /**
     * A recovery that re-masters {@code resource} may make {@code value}, the buffer of a surviving VALBLK lock
     * held above CR, its LVB again, without VALNOTVALID (fs/dlm {@code recover_lvb} takes the LVB from any such
     * lock, as its holder's buffer holds it: {@code pack_rcom_lock} copies {@code lkb_lvbptr}). When the value
     * is older than the last write, reading it later is not a lost order but what fs/dlm does: it becomes
     * unordered. The newest write, or a value not written for certain, stays as it is.
     */
    void restorableByRecovery(ResourceName resource, long value) {
        History h = resources.get(resource);
        Integer index = h == null ? null : h.indexOf.get(value);
        if (index != null && index < h.writes) {
            h.unordered.add(value);
        }
    }

    /** A completion carried an LVB read by {@code op} of {@code lock}. */
    void read(LockRecord lock, LockRecord.Op op, NodeEffect.Completed c) {
        reads++;
        long value;
        try {
            value = decodeChecked(c.lvb());
        } catch (IllegalArgumentException e) {
            fail(lock, c, e.getMessage());
            return;
        }
        lock.buffer = value;
        if (value == 0) {
            return;
        }
        History h = resources.get(lock.resource);
        Integer index = h == null ? null : h.indexOf.get(value);
        if (index == null && (h == null || !h.unordered.contains(value))) {
            fail(lock, c, "read value " + value + ", which no PW/EX holder ever wrote to " + lock.resource);
            return;
        }
        if (SbFlag.isSet(c.sbFlags(), SbFlag.VALNOTVALID) || h.unordered.contains(value)) {
            return;
        }
        checkedReads++;
        int floor = op == null ? 0 : op.lvbFloor();
        if (index < floor) {
            fail(lock, c, "read write #" + index + " (value " + value + ") without VALNOTVALID, but write #" + floor
                    + " was already seen or written by this node when the operation was called ("
                    + h.writes + " writes so far)");
            return;
        }
        h.seen = Math.max(h.seen, index);
    }

    long reads() {
        return reads;
    }

    long checkedReads() {
        return checkedReads;
    }

    private void fail(LockRecord lock, NodeEffect.Completed c, String why) {
        if (violation == null) {
            violation = lock.node + " lock " + lock.id + " on " + lock.resource + ": " + why + "; completion "
                    + c.status() + " " + c.mode() + " " + SbFlag.describe(c.sbFlags());
        }
    }

    static long decode(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
    }

    /** The value of a block, checking that it is one value repeated (not torn, not foreign). */
    private static long decodeChecked(byte[] lvb) {
        if (lvb.length != LVB_LENGTH) {
            throw new IllegalArgumentException("LVB of " + lvb.length + " bytes, expected " + LVB_LENGTH);
        }
        ByteBuffer b = ByteBuffer.wrap(lvb);
        long first = b.getLong();
        while (b.hasRemaining()) {
            if (b.getLong() != first) {
                throw new IllegalArgumentException("torn or foreign LVB " + DlmText.hex(lvb));
            }
        }
        return first;
    }
}
