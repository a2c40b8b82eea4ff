package io.clustermd.dlm.core.cluster;

import static io.clustermd.dlm.core.LockMode.CW;
import static io.clustermd.dlm.core.LockMode.EX;
import static io.clustermd.dlm.core.LockMode.NL;
import static io.clustermd.dlm.core.LockMode.PW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.SbFlag;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * LVB cases the simulator's {@code dlm} scenario reported (sim/README.md), replayed with the few messages that
 * matter. Seeds 1624 and 807 were not DLM bugs: in both, a new master took the LVB from a surviving VALBLK lock
 * held above CR whose buffer was older than the resource's last write, and reported it valid. That is fs/dlm's
 * {@code recover_lvb} (dlm.md §8 Recovery 2: {@code pack_rcom_lock} sends {@code lkb_lvbptr}, the holder's
 * buffer, with {@code lkb_exflags}, the flags of its latest call; the new master copies the LVB of any lock
 * with VALBLK and grmode &gt; CR and sets no VALNOTVALID). The sim's LVB checker now allows it; these tests keep
 * the DLM doing what fs/dlm does.
 */
class LockspaceNodeLvbRegressionTest {

  private ClusterHarness c;
  private NodeId a;
  private NodeId b;
  private NodeId d;

  @BeforeEach
  void threeNodes() {
    c = new ClusterHarness();
    a = c.add("a", 32);
    b = c.add("b", 32);
    d = c.add("d", 32);
    c.viewAll();
  }

  @Test
  @DisplayName("sim seed 1624: a PW lock granted without VALBLK, converting to EX with VALBLK when its master dies, gives"
      + " the new master its buffer as the LVB, valid, though a newer value had been written (fs/dlm recover_lvb)")
  void newMasterTakesTheBufferOfAPwLockThatNeverReadTheLvb() {
    String res = "r1";
    c.lock(d, res, NL); // d masters it: the others' calls reach it as messages
    LockId lock = c.lock(a, res, PW, lvb(0), LockFlag.VALBLK);
    c.convert(a, lock, NL, lvb(5), LockFlag.VALBLK); // writes 5
    LockId other = c.lock(b, res, PW, lvb(0), LockFlag.VALBLK);
    assertEquals(5, c.last(b, other).lvb()[0]);
    c.unlock(b, other, lvb(6), LockFlag.VALBLK); // writes 6
    LockId seen = c.lock(b, res, NL, lvb(0), LockFlag.VALBLK);
    assertEquals(6, c.last(b, seen).lvb()[0], "6 is the resource's value");
    c.unlock(b, seen, null);

    c.convert(a, lock, PW, null); // no VALBLK: granted PW without reading; a's buffer still holds 5
    assertTrue(c.granted(a, lock, PW));
    // The lock's flags are now this call's (VALBLK); the conversion is lost with its master.
    c.record(a, accepted(c.node(a).convert(lock, EX, LockFlags.of(LockFlag.VALBLK), null, c.now)));
    c.crash(d);
    c.viewAll(); // a's PW lock is re-created at the new master with VALBLK and the buffer 5

    assertTrue(c.granted(a, lock, EX), "the resent conversion is granted at the new master");
    assertEquals(5, c.last(a, lock).lvb()[0]);
    LockId reader = c.lock(b, res, NL, lvb(0), LockFlag.VALBLK);
    NodeEffect.Completed read = c.last(b, reader);
    assertTrue(c.granted(b, reader, NL));
    assertEquals(5, read.lvb()[0], "the surviving PW holder's buffer is the LVB (big_lkb)");
    assertFalse(SbFlag.isSet(read.sbFlags(), SbFlag.VALNOTVALID), "a lock above CR with VALBLK survived: valid");
  }

  @Test
  @DisplayName("sim seed 807: a CW lock that read the LVB flagged VALNOTVALID gives a new master its buffer as the LVB,"
      + " and the LVB is valid again (fs/dlm recover_lvb sets VALNOTVALID only when no VALBLK lock above CR survives)")
  void newMasterTakesTheBufferOfACwLockThatReadAnInvalidLvb() {
    NodeId e = c.add("e", 32);
    c.viewAll();
    String res = "r2";
    c.lock(d, res, NL); // d masters it
    LockId writer = c.lock(a, res, PW, lvb(0), LockFlag.VALBLK);
    c.unlock(a, writer, lvb(7), LockFlag.VALBLK); // writes 7
    c.lock(e, res, EX, lvb(0), LockFlag.VALBLK);
    c.crash(e); // a writer died at a surviving master: the LVB is not valid (dlm.md §8 Recovery 1)
    c.viewAll();

    LockId cw = c.lock(a, res, CW, lvb(0), LockFlag.VALBLK);
    NodeEffect.Completed flagged = c.last(a, cw);
    assertTrue(c.granted(a, cw, CW));
    assertEquals(7, flagged.lvb()[0]);
    assertTrue(SbFlag.isSet(flagged.sbFlags(), SbFlag.VALNOTVALID));

    c.crash(d); // the master goes; a's CW lock, VALBLK, buffer 7, is resent to the new master
    c.viewAll();
    LockId reader = c.lock(b, res, NL, lvb(0), LockFlag.VALBLK);
    NodeEffect.Completed read = c.last(b, reader);
    assertTrue(c.granted(b, reader, NL));
    assertEquals(7, read.lvb()[0]);
    assertFalse(SbFlag.isSet(read.sbFlags(), SbFlag.VALNOTVALID),
        "the new master takes a CW lock's buffer (grmode > CR) as valid; the old master's VALNOTVALID is not carried over");
  }

  // ---------------------------------------------------------------------------------------------

  /** A 32-byte LVB filled with {@code value}. */
  private static byte[] lvb(int value) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static List<NodeEffect> accepted(LockspaceNode.Result r) {
    if (r instanceof LockspaceNode.Result.Accepted ok) {
      return ok.effects();
    }
    throw new AssertionError("refused: " + r);
  }
}
