package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.*;
import static io.clustermd.dlm.core.LockMode.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.Effect.Completion;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** dlm.md §3.2, §3.3, §4: the granting order, queue by queue. */
class GrantOrderTest {

  @Test
  @DisplayName("dlm.md §4.1 step 10: waiters are granted in FIFO order")
  void fifoWaiters() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", EX);
    h.request("C", EX);
    h.request("D", EX);
    h.unlock("A");
    assertEquals(EX, h.held("B"));
    assertEquals(LockStatus.WAITING, h.status("C"));
    h.unlock("B");
    assertEquals(EX, h.held("C"));
    h.unlock("C");
    assertEquals(EX, h.held("D"));
  }

  @Test
  @DisplayName("dlm.md §4.1 steps 9-10: a compatible request waits behind an incompatible waiter (head-of-line blocking)")
  void headOfLineBlocking() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.request("B", EX);
    h.request("C", PR);
    assertEquals(LockStatus.WAITING, h.status("C"), "PR is compatible with A but must not overtake B");
    h.unlock("A");
    assertEquals(EX, h.held("B"));
    assertEquals(LockStatus.WAITING, h.status("C"));
  }

  @Test
  @DisplayName("dlm.md §4.3 step 2: a run of compatible waiters at the head is granted in one pass")
  void runOfCompatibleWaiters() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", PR);
    h.request("C", CR);
    h.request("D", PR);
    h.request("E", EX);
    h.request("F", PR);
    h.unlock("A");
    assertEquals(List.of(PR, CR, PR), List.of(h.held("B"), h.held("C"), h.held("D")));
    assertEquals(LockStatus.WAITING, h.status("E"));
    assertEquals(LockStatus.WAITING, h.status("F"), "blocked behind E");
  }

  @Test
  @DisplayName("dlm.md §4.1 step 5: an arriving conversion is granted ahead of earlier waiters")
  void conversionAheadOfWaiters() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.request("B", EX);
    h.convert("A", EX);
    assertEquals(EX, h.held("A"), "in-place conversion overtakes waiter B");
    assertEquals(LockStatus.WAITING, h.status("B"));
  }

  @Test
  @DisplayName("dlm.md §4.1: queued conversions have priority over waiters")
  void conversionsBeforeWaiters() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("B", PR);
    h.convert("B", EX);
    h.request("C", PR);
    assertEquals(LockStatus.WAITING, h.status("C"), "compatible, but a conversion is queued");
    h.unlock("A");
    assertEquals(EX, h.held("B"));
    assertEquals(LockStatus.WAITING, h.status("C"));
  }

  @Test
  @DisplayName("dlm.md §4.1 step 6: with QUECVT a conversion queues behind earlier conversions")
  void quecvtQueuesBehindConversions() {
    // X holds CW; A's NL->EX is queued behind it. B's NL->CW is compatible with every held mode.
    Harness g = new Harness();
    g.hold("X", CW);
    g.hold("A", NL);
    g.hold("B", NL);
    g.convert("A", EX);
    g.convert("B", CW, QUECVT);
    assertEquals(LockStatus.CONVERT, g.status("B"), "compatible with every holder, but queued behind A");
    g.unlock("X");
    assertEquals(EX, g.held("A"), "A is first and goes first");
    assertEquals(LockStatus.CONVERT, g.status("B"));

    Harness n = new Harness();
    n.hold("X", CW);
    n.hold("A", NL);
    n.hold("B", NL);
    n.convert("A", EX);
    n.convert("B", CW);
    assertEquals(CW, n.held("B"), "without QUECVT the same conversion is granted in place");
  }

  @Test
  @DisplayName("dlm.md §4.3: grants cascade through the convert queue, then the wait queue")
  void cascadingGrants() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.hold("K1", NL);
    h.hold("K2", NL);
    h.convert("K1", PR);
    h.convert("K2", PR);
    h.request("W1", CR);
    h.request("W2", PW);
    h.unlock("A");
    assertEquals(PR, h.held("K1"));
    assertEquals(PR, h.held("K2"));
    assertEquals(CR, h.held("W1"));
    assertEquals(LockStatus.WAITING, h.status("W2"));
    List<String> grants = h.log.stream().filter(s -> s.contains("cast OK") && !s.contains("NL")).toList();
    assertEquals(List.of("A cast OK EX", "K1 cast OK PR", "K2 cast OK PR", "W1 cast OK CR"), grants);
    Completion w1 = h.lastCompletion("W1");
    assertEquals(Completion.Reason.GRANTED_FROM_WAIT_QUEUE, w1.reason());
  }

  @Test
  @DisplayName("dlm.md §6 NOQUEUE: a conflicting request fails with EAGAIN and is destroyed; a conversion keeps its mode")
  void noqueue() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", PR, NOQUEUE);
    assertEquals(DlmStatus.EAGAIN, h.lastStatus("B"));
    assertEquals(LockStatus.ENDED, h.status("B"));
    h.hold("C", NL);
    h.convert("C", PR, NOQUEUE);
    assertEquals(DlmStatus.EAGAIN, h.lastStatus("C"));
    assertEquals(NL, h.held("C"));
    assertEquals(LockStatus.GRANTED, h.status("C"));
  }

  @Test
  @DisplayName("dlm.md §6 NOQUEUE: a compatible request still waits behind queued ones and so fails")
  void noqueueRespectsQueue() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.request("B", EX);
    h.request("C", PR, NOQUEUE);
    assertEquals(DlmStatus.EAGAIN, h.lastStatus("C"));
  }

  @Test
  @DisplayName("dlm.md §6 NOORDER: granted as soon as compatible, ignoring the queue")
  void noorder() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.request("B", EX);
    h.request("C", PR, NOORDER);
    assertEquals(PR, h.held("C"));
  }

  @Test
  @DisplayName("dlm.md §6 HEADQUE: a waiter inserted at the head is granted first at the next release")
  void headque() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", EX);
    h.request("C", EX, HEADQUE);
    assertEquals(List.of(h.id("C"), h.id("B")), h.r.waitQueue().stream().map(Lock::id).toList());
    h.unlock("A");
    assertEquals(EX, h.held("C"));
    assertEquals(LockStatus.WAITING, h.status("B"));
  }

  @Test
  @DisplayName("dlm.md §4.1 step 1 EXPEDITE: a new NL request is granted regardless of the queues")
  void expedite() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.request("B", EX);
    h.request("C", NL, EXPEDITE);
    assertEquals(NL, h.held("C"));
    assertEquals(Completion.Reason.GRANTED_EXPEDITE, h.lastCompletion("C").reason());
    h.request("D", NL);
    assertEquals(LockStatus.WAITING, h.status("D"), "without EXPEDITE, NL waits behind B");
  }

  @Test
  @DisplayName("dlm.md §4.2 ALTPR: an unavailable mode is granted as PR with ALTMODE")
  void altpr() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.request("B", EX, ALTPR);
    assertEquals(PR, h.held("B"));
    assertTrue(SbFlag.isSet(h.lastCompletion("B").sbFlags(), SbFlag.ALTMODE));
  }

  @Test
  @DisplayName("dlm.md §4.2 ALTCW: an unavailable PR is granted as CW; ALTPR wins when both are set")
  void altcw() {
    Harness h = new Harness();
    h.hold("A", CW);
    h.request("B", PR, ALTCW);
    assertEquals(CW, h.held("B"));
    assertTrue(SbFlag.isSet(h.lastCompletion("B").sbFlags(), SbFlag.ALTMODE));
    Harness both = new Harness();
    both.hold("A", PR);
    both.request("B", EX, ALTPR, ALTCW);
    assertEquals(PR, both.held("B"));
  }

  @Test
  @DisplayName("dlm.md §4.2: an alternate mode is also tried when a queued request is re-evaluated")
  void altModeOnRegrant() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", EX, ALTPR);
    assertEquals(LockStatus.WAITING, h.status("B"));
    h.convert("A", PR);
    assertEquals(PR, h.held("B"));
    assertTrue(SbFlag.isSet(h.lastCompletion("B").sbFlags(), SbFlag.ALTMODE));
  }

  @Test
  @DisplayName("dlm.md §3.3: a down-conversion is always granted at once and re-evaluates the queues")
  void downConversionReleases() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", PR);
    h.convert("A", PR);
    assertEquals(PR, h.held("A"));
    assertEquals(PR, h.held("B"));
  }

  @Test
  @DisplayName("dlm.md §4.1 step 4: after recovery queued conversions are regranted ignoring order")
  void recoverRegrantIgnoresOrder() {
    Harness h = new Harness();
    h.hold("X", PW);
    h.hold("A", NL);
    h.hold("B", NL);
    h.convert("A", EX);
    h.convert("B", CR, QUECVT);
    assertEquals(LockStatus.CONVERT, h.status("B"), "compatible, but queued behind A");
    assertTrue(h.r.grantPending(false).isEmpty(), "in normal operation B must wait for A");
    List<Effect> regrant = h.r.grantPending(true);
    List<Effect> grants = regrant.stream().filter(e -> e instanceof Completion).toList();
    assertEquals(1, grants.size());
    assertEquals(h.id("B"), grants.get(0).lock());
    assertTrue(
        regrant.contains(new Effect.Blocking(h.id("B"), EX, Effect.Blocking.Reason.STILL_BLOCKING)),
        "once granted CR, B blocks A's EX and is told so");
    assertEquals(CR, h.r.lock(h.id("B")).grantedMode());
    assertEquals(LockStatus.CONVERT, h.status("A"), "A is still blocked by X");
  }

}
