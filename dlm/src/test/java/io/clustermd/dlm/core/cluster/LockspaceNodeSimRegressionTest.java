package io.clustermd.dlm.core.cluster;

import static io.clustermd.dlm.core.LockMode.CR;
import static io.clustermd.dlm.core.LockMode.CW;
import static io.clustermd.dlm.core.LockMode.EX;
import static io.clustermd.dlm.core.LockMode.NL;
import static io.clustermd.dlm.core.LockMode.PR;
import static io.clustermd.dlm.core.LockMode.PW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.SbFlag;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bugs the deterministic simulator's {@code dlm} scenario found (sim/README.md), each replayed here with
 * the few messages that matter, delivered in the order that exposed it.
 */
class LockspaceNodeSimRegressionTest {

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
  @DisplayName("sim seed 3: an overlapped unlock that ends a lock while its own grant is being applied does not trip over the grant's later bast")
  void unlockOverlappingAConversionGrantedAtALocalNewMaster() {
    String res = nameWithDirectory(a, List.of(a, b));
    c.lock(d, res, NL); // d asks first: d masters it
    LockId held = c.lock(a, res, CR);
    LockId waiter = c.lock(b, res, EX);
    assertFalse(c.granted(b, waiter, EX));
    c.record(a, accepted(c.node(a).convert(held, PR, LockFlags.NONE, null, c.now)));
    c.record(a, c.node(a).leave(c.now)); // overlaps the conversion in flight
    c.crash(d); // the conversion is lost with its master
    c.viewAll(); // a re-masters the resource, resends the conversion to itself and grants it, then unlocks
    assertEquals(List.of(DlmStatus.OK, DlmStatus.EUNLOCK),
        c.completions(a, held).stream().skip(1).map(NodeEffect.Completed::status).toList());
    assertTrue(c.granted(b, waiter, EX));
    assertEquals(1, c.all(a, NodeEffect.ReadyToLeave.class).size());
  }

  @Test
  @DisplayName("sim seed 334: a reply from the master after a 'not master' for another request makes it the known master again")
  void replyAfterNotMasterRestoresTheMaster() {
    String res = "r0";
    c.unlock(a, c.lock(a, res, NL), null); // a masters it, then leaves it unused
    c.unlock(b, c.lock(b, res, EX), null); // b remembers a as its master
    LockId first = recordLock(b, res, PR); // both go to a, which is about to release the resource
    LockId second = recordLock(b, res, PR);
    c.now += LockspaceNode.Options.defaults().tossMillis() + 1;
    c.record(a, c.node(a).onTick(c.now)); // toss: a masters it no more
    deliver(s -> s.from().equals(b) && s.message() instanceof DlmMessage.Request r && r.holderId().equals(first));
    recordLock(a, res, NL); // a looks it up and masters it again; b's second request reaches it then
    c.run();
    assertTrue(c.granted(b, second, PR), "granted by a, the master again");
    c.unlock(b, second, null); // needs to know the master
    assertEquals(DlmStatus.EUNLOCK, c.last(b, second).status());
    c.tick(LockspaceNode.Options.defaults().lookupRetryMillis() + 1);
    assertTrue(c.granted(b, first, PR), "the request answered 'not master' is looked up again and granted");
  }

  @Test
  @DisplayName("sim seed 276: a CONVDEADLK conversion demoted by a master that then died is re-created as NL, not at its old mode")
  void demotedConversionSurvivesTheLossOfItsMaster() {
    String res = "r1";
    c.lock(d, res, NL); // d masters it
    LockId first = c.lock(a, res, PR);
    LockId second = c.lock(b, res, PR);
    c.convert(a, first, EX, null, LockFlag.CONVDEADLK); // queued behind b's PR
    c.convert(b, second, EX, null, LockFlag.CONVDEADLK); // deadlock: b demoted to NL unawares, a granted EX
    assertTrue(c.granted(a, first, EX));
    c.crash(d);
    c.viewAll(); // before the fix the new master held a's EX and b's PR at once (invariant)
    c.unlock(a, first, null);
    assertTrue(c.granted(b, second, EX));
  }

  @Test
  @DisplayName("sim seed 920: a cancel of a CONVDEADLK conversion lost with its master completes at NL, not at the mode the master demoted unawares")
  void cancelOfADemotedConversionLostWithItsMaster() {
    String res = "r1";
    c.lock(d, res, CR); // d masters it; its CR keeps EX from a
    LockId demoted = c.lock(a, res, PW);
    LockId other = c.lock(b, res, NL);
    c.convert(b, other, PW, null, LockFlag.QUECVT); // queued behind a's PW
    assertFalse(c.granted(b, other, PW));
    c.convert(a, demoted, EX, null, LockFlag.CONVDEADLK); // deadlock: a demoted to NL unawares ("queued"), b granted PW
    assertTrue(c.granted(b, other, PW));
    c.record(a, accepted(c.node(a).cancel(demoted, c.now))); // in flight to d
    c.crash(d); // the cancel is lost with the master
    c.viewAll(); // before the fix a's cancel completed at PW: the new master held a's PW and b's PW at once (invariant)
    NodeEffect.Completed cancelled = c.last(a, demoted);
    assertEquals(DlmStatus.ECANCEL, cancelled.status());
    assertEquals(NL, cancelled.mode(), "the departed master may have demoted it to NL, and did");
    c.unlock(b, other, null);
    c.convert(a, demoted, PW, null);
    assertTrue(c.granted(a, demoted, PW), "a's NL lock is usable at the new master");
  }

  @Test
  @DisplayName("sim seed 276 (PR<->CW): a middle conversion granted by a master that died before its grant arrived is settled by the new master (dlm.md §10.3 5d)")
  void middleConversionGrantLostWithItsMaster() {
    NodeId e = c.add("e", 32);
    c.viewAll();
    String res = "r2";
    c.lock(d, res, NL); // d masters it
    LockId converting = c.lock(a, res, PR);
    LockId blocker = c.lock(e, res, PR);
    c.convert(a, converting, CW, null); // queued: e's PR blocks CW
    LockId waiter = c.lock(b, res, CW);
    assertFalse(c.granted(b, waiter, CW));
    c.record(e, accepted(c.node(e).unlock(blocker, LockFlags.NONE, null, c.now)));
    deliver(s -> s.from().equals(e) && s.to().equals(d)); // d grants a's conversion and b's request
    deliver(s -> s.to().equals(b) && s.message() instanceof DlmMessage.Grant); // b hears; a never does
    assertTrue(c.granted(b, waiter, CW));
    c.crash(d);
    c.viewAll(); // before the fix the new master held a's PR and b's CW at once (invariant)
    assertTrue(c.granted(a, converting, CW), "the new master completes the conversion");
    assertTrue(c.granted(b, waiter, CW));
  }

  @Test
  @DisplayName("sim seed 533: a VALBLK conversion deferred by recovery and cancelled there still makes the lock's unlock write the LVB (fs/dlm keeps a call's flags from its acceptance)")
  void unlockAfterACancelledDeferredConversionWritesTheLvb() {
    String res = "r1";
    c.lock(d, res, NL); // d masters it: a's calls reach it as messages
    LockId lock = c.lock(a, res, EX, lvb(0), LockFlag.VALBLK);
    c.convert(a, lock, PW, lvb(1), LockFlag.VALBLK); // writes 1
    c.convert(a, lock, EX, null); // granted; the master copy's flags are now those of this call: no VALBLK
    assertTrue(c.granted(a, lock, EX));

    NodeId e = c.add("e", 32); // a join stops locking everywhere until recovery is done
    View joined = new View(List.of(a, b, d, e), Set.of());
    for (NodeId n : List.of(a, b, d, e)) {
      c.record(n, c.node(n).onView(joined, c.now));
    }
    assertFalse(c.node(a).isRunning());
    c.record(a, accepted(c.node(a).convert(lock, NL, LockFlags.of(LockFlag.VALBLK), lvb(2), c.now))); // deferred
    c.record(a, accepted(c.node(a).cancel(lock, c.now))); // cancelled before it started
    assertEquals(DlmStatus.ECANCEL, c.last(a, lock).status());
    c.record(a, accepted(c.node(a).unlock(lock, LockFlags.NONE, lvb(3), c.now))); // deferred; from EX
    c.run(); // recovery ends; the unlock runs

    assertEquals(DlmStatus.EUNLOCK, c.last(a, lock).status());
    LockId reader = c.lock(b, res, CR, lvb(0), LockFlag.VALBLK);
    NodeEffect.Completed read = c.last(b, reader);
    assertTrue(c.granted(b, reader, CR));
    assertFalse(SbFlag.isSet(read.sbFlags(), SbFlag.VALNOTVALID));
    assertEquals(3, read.lvb()[0], "the unlock from EX wrote with the VALBLK of the cancelled conversion, as fs/dlm's"
        + " unlock does (m_exflags = lkb_exflags); before the fix the reader got 1 without VALNOTVALID");
  }

  // ---------------------------------------------------------------------------------------------

  /** A resource name whose directory node among {@code members} is {@code node}. */
  private static String nameWithDirectory(NodeId node, List<NodeId> members) {
    for (int i = 0; ; i++) {
      String name = "res" + i;
      if (Directory.nodeFor(ResourceName.of(name), members.stream().sorted().toList()).equals(node)) {
        return name;
      }
    }
  }

  private LockId recordLock(NodeId n, String res, LockMode mode) {
    LockspaceNode.Result r = c.node(n).lock(ResourceName.of(res), mode, LockFlags.NONE, null, true, c.now);
    LockspaceNode.Result.Accepted ok = (LockspaceNode.Result.Accepted) r;
    c.record(n, ok.effects());
    return ok.lock();
  }

  /** Delivers the first message on the wire that matches, out of turn. */
  private void deliver(Predicate<ClusterHarness.Sent> which) {
    for (Iterator<ClusterHarness.Sent> it = c.wire.iterator(); it.hasNext(); ) {
      ClusterHarness.Sent s = it.next();
      if (which.test(s)) {
        it.remove();
        c.now++;
        c.record(s.to(), c.node(s.to()).onMessage(s.from(), s.message(), c.now));
        c.check();
        return;
      }
    }
    throw new AssertionError("no such message on the wire: " + c.wire);
  }

  /** A 32-byte LVB filled with {@code value}. */
  private static byte[] lvb(int value) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static List<NodeEffect> accepted(LockspaceNode.Result r) {
    if (r instanceof LockspaceNode.Result.Accepted a) {
      return a.effects();
    }
    throw new AssertionError("refused: " + r);
  }
}
