package io.clustermd.dlm.core.cluster;

import static io.clustermd.dlm.core.LockMode.CR;
import static io.clustermd.dlm.core.LockMode.EX;
import static io.clustermd.dlm.core.LockMode.NL;
import static io.clustermd.dlm.core.LockMode.PR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.ResourceName;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The unlock of a settled lock at a remote master is one message, as a down-conversion is: the client
 * is answered when it is sent, and the lock lingers, silent, until the master's reply.
 */
class RemoteUnlockTest {

  private ClusterHarness c;
  private NodeId master;
  private NodeId holder;
  private NodeId other;

  @BeforeEach
  void threeNodes() {
    c = new ClusterHarness();
    master = c.add("a", 32);
    holder = c.add("b", 32);
    other = c.add("d", 32);
    c.viewAll();
    c.lock(master, "r", NL); // the first requester masters "r"
  }

  private LockspaceNode.Result.Accepted unlockWithoutDelivery(NodeId n, LockId id, byte[] lvb, LockFlag... flags) {
    LockspaceNode.Result r = c.node(n).unlock(id, LockFlags.of(flags), lvb, c.now);
    LockspaceNode.Result.Accepted a = assertInstanceOf(LockspaceNode.Result.Accepted.class, r);
    c.record(n, a.effects());
    return a;
  }

  @Test
  @DisplayName("the client gets EUNLOCK with the one Unlock message; the master's reply completes nothing more")
  void completesWhenSent() {
    LockId l = c.lock(holder, "r", EX);
    assertTrue(c.granted(holder, l, EX));
    LockspaceNode.Result.Accepted a = unlockWithoutDelivery(holder, l, null);
    List<NodeEffect> effects = a.effects();
    assertEquals(2, effects.size(), effects.toString());
    NodeEffect.Send send = assertInstanceOf(NodeEffect.Send.class, effects.get(0));
    assertInstanceOf(DlmMessage.Unlock.class, send.message());
    assertEquals(new NodeEffect.Completed(l, DlmStatus.EUNLOCK, null, 0, null), effects.get(1));
    assertEquals(DlmError.ENOENT, ((LockspaceNode.Result.Rejected) c.node(holder).unlock(l, LockFlags.of(), null, c.now)).error(),
        "the client no longer has the lock");
    c.run();
    assertEquals(1, c.completions(holder, l).stream().filter(x -> x.status() == DlmStatus.EUNLOCK).count());
    assertEquals(2, c.completions(holder, l).size(), "the grant and one EUNLOCK");
    assertNull(c.node(holder).heldMode(l));
  }

  @Test
  @DisplayName("a request sent right after the unlock reaches the master after it: granted, reading the LVB the unlock wrote")
  void laterRequestSeesTheWrite() {
    byte[] v = new byte[32];
    v[0] = 42;
    LockId w = c.lock(holder, "r", EX, new byte[32], LockFlag.VALBLK);
    unlockWithoutDelivery(holder, w, v, LockFlag.VALBLK);
    v[0] = 7; // the caller's buffer is its own again once the unlock completed
    LockId r = c.lock(holder, "r", PR, new byte[32], LockFlag.VALBLK);
    assertTrue(c.granted(holder, r, PR));
    assertEquals(42, c.last(holder, r).lvb()[0]);
    LockId elsewhere = c.lock(other, "r", CR, new byte[32], LockFlag.VALBLK);
    assertEquals(42, c.last(other, elsewhere).lvb()[0]);
  }

  @Test
  @DisplayName("a blocking callback that crosses the unlock is not delivered: the client saw EUNLOCK")
  void noBastAfterEunlock() {
    c.lock(other, "r", NL); // the other node knows the master: its request goes straight there
    LockId l = c.lock(holder, "r", EX);
    // The other node's request reaches the master first: it is queued and the holder is basted, while
    // the holder's unlock is on its way.
    LockspaceNode.Result.Accepted req = assertInstanceOf(LockspaceNode.Result.Accepted.class,
        c.node(other).lock(ResourceName.of("r"), EX, LockFlags.of(), null, true, c.now));
    c.record(other, req.effects());
    unlockWithoutDelivery(holder, l, null);
    c.run();
    assertTrue(c.granted(other, req.lock(), EX));
    assertTrue(c.sent.stream().anyMatch(x -> x.message() instanceof DlmMessage.Bast b && b.holderId().equals(l)),
        "the master did bast the holder");
    assertTrue(c.basts(holder, l).isEmpty(), "no callback after EUNLOCK: " + c.basts(holder, l));
  }

  @Test
  @DisplayName("dlm.md §10.3 step 4: the master dies with the unlock in flight: no second completion, the lock is gone")
  void masterDiesWithUnlockInFlight() {
    LockId l = c.lock(holder, "r", EX);
    unlockWithoutDelivery(holder, l, null);
    c.crash(master);
    c.viewAll();
    assertEquals(List.of(DlmStatus.OK, DlmStatus.EUNLOCK), c.completions(holder, l).stream().map(NodeEffect.Completed::status).toList());
    LockId again = c.lock(other, "r", EX);
    assertTrue(c.granted(other, again, EX), "nothing of the unlocked lock survives at the new master");
  }

  @Test
  @DisplayName("the unlock of a queued conversion waits for the master's reply: a grant may cross it")
  void queuedConversionWaitsForTheReply() {
    LockId blocker = c.lock(other, "r", PR);
    LockId l = c.lock(holder, "r", PR);
    c.convert(holder, l, EX, null);
    assertFalse(c.granted(holder, l, EX));
    LockspaceNode.Result.Accepted a = unlockWithoutDelivery(holder, l, null);
    assertTrue(a.effects().stream().noneMatch(e -> e instanceof NodeEffect.Completed), a.effects().toString());
    c.run();
    assertEquals(DlmStatus.EUNLOCK, c.last(holder, l).status());
    assertTrue(c.granted(other, blocker, PR));
  }

  @Test
  @DisplayName("a message carries the LVB as it was when sent: a grant copying into the holder's buffer later does not change it (sim seed 86)")
  void messagesSnapshotTheBuffer() {
    byte[] buffer = new byte[32];
    buffer[0] = 1;
    DlmMessage.Unlock u = new DlmMessage.Unlock(null, null, ResourceName.of("r"), 0, buffer);
    DlmMessage.Convert cv = new DlmMessage.Convert(null, null, ResourceName.of("r"), NL, 0, buffer, false);
    DlmMessage.Request rq = new DlmMessage.Request(null, ResourceName.of("r"), EX, 0, buffer, true);
    buffer[0] = 2;
    assertEquals(1, u.lvb()[0]);
    assertEquals(1, cv.lvb()[0]);
    assertEquals(1, rq.lvb()[0]);
  }
}
