package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.*;
import static io.clustermd.dlm.core.LockMode.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** dlm.md §3.4 and §5.1: unlock, cancel, FORCEUNLOCK and their completions. */
class CancelUnlockTest {

  @Test
  @DisplayName("dlm.md §3.4: cancel of a waiting request destroys it (ECANCEL) and lets the next waiter in")
  void cancelWaiting() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.request("B", EX);
    h.request("C", PR);
    h.cancel("B");
    assertEquals(DlmStatus.ECANCEL, h.lastStatus("B"));
    assertNull(h.lastCompletion("B").mode());
    assertEquals(LockStatus.ENDED, h.status("B"));
    assertEquals(PR, h.held("C"), "removing B unblocked C");
  }

  @Test
  @DisplayName("dlm.md §3.4: cancel of a queued conversion returns the lock to its old mode (ECANCEL)")
  void cancelConversion() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("B", PR);
    h.convert("B", EX);
    h.cancel("B");
    assertEquals(DlmStatus.ECANCEL, h.lastStatus("B"));
    assertEquals(PR, h.lastCompletion("B").mode());
    assertEquals(PR, h.held("B"));
    assertEquals(LockStatus.GRANTED, h.status("B"));
  }

  @Test
  @DisplayName("dlm.md §3.4, §13.1: a cancel that loses to a grant produces no callback at all")
  void losingCancel() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", EX);
    h.unlock("A");
    assertEquals(EX, h.held("B"));
    int before = h.completions("B").size();
    Step s = h.cancel("B");
    assertInstanceOf(Step.Accepted.class, s, "accepted: dlm_unlock returns 0");
    assertTrue(((Step.Accepted) s).effects().isEmpty());
    assertEquals(before, h.completions("B").size(), "exactly one completion: the grant");
    assertEquals(DlmStatus.OK, h.lastStatus("B"));
  }

  @Test
  @DisplayName("dlm.md §3.4: unlock removes a lock from any queue (waiting, converting) with EUNLOCK")
  void unlockQueuedLocks() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.hold("C", NL);
    h.request("W", PR);
    h.convert("C", PR);
    h.unlock("W");
    h.unlock("C");
    assertEquals(DlmStatus.EUNLOCK, h.lastStatus("W"));
    assertEquals(DlmStatus.EUNLOCK, h.lastStatus("C"));
    assertEquals(1, h.completions("W").size(), "the request's only completion is the unlock's");
    assertTrue(h.r.waitQueue().isEmpty() && h.r.convertQueue().isEmpty());
  }

  @Test
  @DisplayName("dlm.md §3.4: FORCEUNLOCK of a queued lock completes with EUNLOCK and re-evaluates")
  void forceUnlockQueued() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.request("B", EX);
    h.request("C", PR);
    h.unlock("B", FORCEUNLOCK);
    assertEquals(DlmStatus.EUNLOCK, h.lastStatus("B"));
    assertEquals(PR, h.held("C"));
  }

  @Test
  @DisplayName("dlm.md §5.1: exactly one completion per accepted operation, in order")
  void oneCompletionPerOperation() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", PR);
    h.convert("A", NL);
    h.convert("B", EX);
    h.unlock("B");
    assertEquals(
        List.of(DlmStatus.OK, DlmStatus.OK, DlmStatus.EUNLOCK),
        h.completions("B").stream().map(Effect.Completion::status).toList());
  }
}
