package io.clustermd.dlm.core.cluster;

import static io.clustermd.dlm.core.LockMode.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockId;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The distributed lockspace core on a lossless in-memory network (dlm.md §9–§11). */
class LockspaceNodeTest {

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
  @DisplayName("dlm.md §9.3-9.4: joining runs a recovery; every member gets recover_done with slots 1..3 and generation 1")
  void joinAssignsSlots() {
    for (NodeId n : List.of(a, b, d)) {
      List<NodeEffect.RecoverDone> done = c.all(n, NodeEffect.RecoverDone.class);
      assertEquals(1, done.size(), n.toString());
      assertEquals(List.of(new Slot(a, 1), new Slot(b, 2), new Slot(d, 3)), done.get(0).slots());
      assertEquals(1, done.get(0).generation());
      assertTrue(c.all(n, NodeEffect.RecoverPrep.class).isEmpty(), "no recover_prep on the initial join");
    }
  }

  @Test
  @DisplayName("dlm.md §11: a remote holder is basted, gives way, and the waiter on another node is granted")
  void remoteHandoff() {
    LockId l1 = c.lock(a, "token", EX);
    assertTrue(c.granted(a, l1, EX));
    LockId l2 = c.lock(b, "token", EX);
    assertFalse(c.granted(b, l2, EX));
    assertEquals(List.of(EX), c.basts(a, l1));
    c.convert(a, l1, NL, null);
    assertTrue(c.granted(b, l2, EX));
    LockId l3 = c.lock(d, "token", PR);
    assertEquals(List.of(PR), c.basts(b, l2));
    c.unlock(b, l2, null);
    assertTrue(c.granted(d, l3, PR));
    assertEquals(DlmStatus.EUNLOCK, c.last(b, l2).status());
  }

  @Test
  @DisplayName("dlm.md §8: the LVB written by an EX holder on one node reaches a reader on another through the master")
  void lvbThroughRemoteMaster() {
    byte[] v = new byte[32];
    v[0] = 9;
    LockId w = c.lock(a, "message", EX, new byte[32], LockFlag.VALBLK);
    c.convert(a, w, CR, v, LockFlag.VALBLK);
    LockId r = c.lock(d, "message", CR, new byte[32], LockFlag.VALBLK);
    assertArrayEquals(v, c.last(d, r).lvb());
  }

  @Test
  @DisplayName("dlm.md §10: kill of an EX holder: recover_slot on the survivors, its lock vanishes, the waiter is granted")
  void holderDies() {
    LockId held = c.lock(d, "res", EX);
    LockId waiting = c.lock(b, "res", EX);
    assertFalse(c.granted(b, waiting, EX));
    c.crash(d);
    c.viewAll();
    assertTrue(c.granted(b, waiting, EX), "granted once the dead holder's lock was purged");
    for (NodeId n : List.of(a, b)) {
      assertEquals(List.of(new NodeEffect.RecoverSlot(d, 3)), c.all(n, NodeEffect.RecoverSlot.class));
      assertEquals(1, c.all(n, NodeEffect.RecoverPrep.class).size());
      assertEquals(2, c.all(n, NodeEffect.RecoverDone.class).get(1).generation());
    }
    assertTrue(held != null);
  }

  @Test
  @DisplayName("dlm.md §10.3: kill of the master: survivors' locks are re-mastered and keep their modes; new requests work")
  void masterDies() {
    // Whoever asks first becomes master: a asks first.
    LockId onA = c.lock(a, "m", PR);
    LockId onB = c.lock(b, "m", PR);
    LockId onD = c.lock(d, "m", EX);
    assertFalse(c.granted(d, onD, EX));
    assertTrue(c.node(a).masteredLocks().containsKey(io.clustermd.dlm.core.ResourceName.of("m")));
    c.unlock(a, onA, null);
    c.crash(a);
    c.viewAll();
    assertTrue(c.granted(b, onB, PR));
    assertFalse(c.granted(d, onD, EX), "still blocked by b's PR on the new master");
    c.unlock(b, onB, null);
    assertTrue(c.granted(d, onD, EX), "the queued request survived re-mastering");
  }

  @Test
  @DisplayName("dlm.md §8: a dead EX holder that used VALBLK leaves the LVB flagged VALNOTVALID")
  void deadWriterInvalidatesLvb() {
    LockId keep = c.lock(a, "v", NL, new byte[32], LockFlag.VALBLK);
    LockId w = c.lock(d, "v", EX, new byte[32], LockFlag.VALBLK);
    assertTrue(c.granted(d, w, EX));
    byte[] v1 = new byte[32];
    v1[3] = 1;
    c.convert(d, w, PW, v1, LockFlag.VALBLK); // writes v1: the LVB now exists
    c.crash(d);
    c.viewAll();
    c.convert(a, keep, PR, null, LockFlag.VALBLK);
    assertTrue((c.last(a, keep).sbFlags() & 0x02) != 0, "VALNOTVALID");
    assertArrayEquals(v1, c.last(a, keep).lvb(), "the last written value, flagged as possibly stale");
  }

  @Test
  @DisplayName("dlm.md §10.4: a request made during recovery completes after it, not with an error")
  void requestDuringRecovery() {
    c.crash(d);
    List<NodeId> live = List.of(a, b);
    View v = new View(live, java.util.Set.of());
    c.record(a, c.node(a).onView(v, c.now));
    LockId early = c.lock(a, "x", EX); // a is stopped now: deferred
    c.record(b, c.node(b).onView(v, c.now));
    c.run();
    assertTrue(c.granted(a, early, EX));
  }

  @Test
  @DisplayName("dlm.md §9.1, §8: a member whose LVB length differs is refused with an error naming both lengths")
  void lvbMismatchRefused() {
    NodeId e = c.add("e", 64);
    c.viewAll();
    List<NodeEffect.JoinRefused> refused = c.all(e, NodeEffect.JoinRefused.class);
    assertEquals(1, refused.size());
    assertTrue(refused.get(0).reason().contains("32") && refused.get(0).reason().contains("64"), refused.get(0).reason());
  }

  @Test
  @DisplayName("dlm.md §9.1: a newcomer that sorts first (and so coordinates) refuses itself, never the established members")
  void lvbMismatchOfCoordinatingNewcomer() {
    NodeId first = c.add("0-first", 16);
    c.viewAll();
    List<NodeEffect.JoinRefused> refused = c.all(first, NodeEffect.JoinRefused.class);
    assertEquals(1, refused.size(), "the newcomer is refused");
    assertTrue(refused.get(0).reason().contains("32") && refused.get(0).reason().contains("16"), refused.get(0).reason());
    for (NodeId member : List.of(a, b, d)) {
      assertTrue(c.all(member, NodeEffect.JoinRefused.class).isEmpty(), member + " was refused");
    }
  }

  @Test
  @DisplayName("dlm.md §9.2: a clean leave releases its locks and is not reported as a failed slot")
  void cleanLeave() {
    LockId l = c.lock(d, "z", EX);
    LockId w = c.lock(a, "z", EX);
    c.record(d, c.node(d).leave(c.now));
    c.run();
    assertFalse(c.all(d, NodeEffect.ReadyToLeave.class).isEmpty());
    assertTrue(c.granted(a, w, EX));
    c.dead.add(d);
    c.leftCleanly.add(d);
    c.viewAll();
    assertTrue(c.all(a, NodeEffect.RecoverSlot.class).isEmpty());
    assertEquals(DlmStatus.EUNLOCK, c.last(d, l).status());
  }

  @Test
  @DisplayName("dlm.md §11.2: an unused resource is released by its master after toss time, then mastered afresh")
  void tossAndRemaster() {
    LockId l = c.lock(b, "t", EX);
    c.unlock(b, l, null);
    assertFalse(c.node(b).masteredLocks().isEmpty());
    c.tick(10_001);
    assertTrue(c.node(b).masteredLocks().isEmpty());
    LockId again = c.lock(d, "t", EX);
    assertTrue(c.granted(d, again, EX));
  }
}
