package io.clustermd.sim.dlm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.cluster.NodeEffect;
import io.clustermd.sim.Checker;
import io.clustermd.sim.SimNodeId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LvbCheckerTest {

    private static final ResourceName RES = ResourceName.of("r1");
    private static final SimNodeId NODE = new SimNodeId("n4", 1);

    private final LvbChecker lvb = new LvbChecker();
    private int nextLock = 1;

    @Test
    @DisplayName("an unflagged read of a write older than one already read is a violation")
    void olderWriteAfterANewerReadFails() {
        byte[] older = writeCertain();
        byte[] newer = writeCertain();
        read(newer);
        read(older);
        assertThrows(Checker.CheckFailure.class, () -> lvb.afterEvent(null));
    }

    @Test
    @DisplayName("sim seed 1624: a stale buffer a recovery may restore as the LVB (fs/dlm recover_lvb) is readable"
            + " without VALNOTVALID after a newer write was read")
    void staleBufferRestorableByRecoveryIsReadable() {
        byte[] older = writeCertain();
        byte[] newer = writeCertain();
        read(newer);
        lvb.restorableByRecovery(RES, LvbChecker.decode(older));
        read(older);
        assertDoesNotThrow(() -> lvb.afterEvent(null));
    }

    @Test
    @DisplayName("the newest write stays ordered when a recovery may restore it")
    void newestWriteStaysOrdered() {
        byte[] older = writeCertain();
        byte[] newer = writeCertain();
        lvb.restorableByRecovery(RES, LvbChecker.decode(newer)); // current: nothing to allow
        read(newer);
        read(older);
        assertThrows(Checker.CheckFailure.class, () -> lvb.afterEvent(null));
    }

    private byte[] writeCertain() {
        byte[] v = lvb.freshValue();
        lvb.written(RES, LvbChecker.decode(v), true);
        return v;
    }

    /** A VALBLK request on a fresh lock, called now, completing with {@code value} and no sb flags. */
    private void read(byte[] value) {
        LockFlags flags = LockFlags.of(LockFlag.VALBLK);
        LockRecord r = new LockRecord(NODE, new LockId(nextLock++), RES, true, flags);
        LockRecord.Op op = new LockRecord.Op(LockRecord.OpKind.REQUEST, LockMode.NL, flags, lvb.floor(NODE, RES), 0, false);
        lvb.read(r, op, new NodeEffect.Completed(r.id, DlmStatus.OK, LockMode.NL, 0, value));
    }
}
