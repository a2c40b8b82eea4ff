package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.*;
import static io.clustermd.dlm.core.LockMode.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** dlm.md §5.2: who gets a blocking callback, with which mode, and which are suppressed. */
class BlockingCallbackTest {

  @ParameterizedTest(name = "{0} held, {1} queued: bast {2}")
  @CsvSource({
    "EX, CR, CR", "PW, PR, PR", "PR, EX, EX", "CR, EX, EX", "PR, CW, CW", "CW, PR, PR", "NL, EX, none", "CR, PW, none"
  })
  @DisplayName("dlm.md §5.2: a queued request basts each conflicting holder with the requested mode")
  void bastOnQueue(LockMode held, LockMode wanted, String expected) {
    Harness h = new Harness();
    h.hold("A", held);
    h.request("B", wanted);
    assertEquals(expected.equals("none") ? List.of() : List.of(LockMode.valueOf(expected)), h.basts("A"));
  }

  @Test
  @DisplayName("dlm.md §5.2: converting locks are not basted when a request queues")
  void convertQueueNotBasted() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("B", PR);
    h.convert("B", EX);
    assertEquals(List.of(EX), h.basts("A"));
    h.request("C", EX);
    assertEquals(List.of(), h.basts("B"), "B is on the convert queue");
  }

  @Test
  @DisplayName("dlm.md §5.2: NOQUEUE|NOQUEUEBAST basts grant- and convert-queue holders before failing; NOQUEUE alone basts nobody")
  void noqueuebast() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("B", PR);
    h.hold("K", NL);
    h.convert("B", PW);
    h.request("C", EX, NOQUEUE);
    assertEquals(List.of(PW), h.basts("A"), "only B's queued conversion basted A");
    h.request("D", EX, NOQUEUE, NOQUEUEBAST);
    assertEquals(DlmStatus.EAGAIN, h.lastStatus("D"));
    assertEquals(List.of(PW, EX), h.basts("A"));
    assertEquals(List.of(EX), h.basts("B"), "convert-queue holder basted too");
  }

  @Test
  @DisplayName("dlm.md §5.2: highbast: a holder is not basted again for the same or a lower mode")
  void highbastSuppresses() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", PW);
    h.request("C", PR);
    h.request("D", EX);
    assertEquals(List.of(PW, EX), h.basts("A"), "PR is below PW; EX is above");
  }

  @Test
  @DisplayName("dlm.md §5.2: after re-evaluation, remaining holders get a bast for the highest blocked mode")
  void bastAfterReevaluation() {
    Harness h = new Harness();
    h.hold("A", EX);
    h.request("B", PR);
    h.request("C", EX);
    h.convert("A", PR);
    assertEquals(PR, h.held("B"));
    assertEquals(List.of(EX), h.basts("B"), "B was granted PR but blocks C's EX");
    assertTrue(h.basts("A").contains(EX));
  }

  @Test
  @DisplayName("dlm.md §5.2: a PR holder gets CW (not PR) when the highest blocked mode is PR and a CW request is blocked")
  void prHolderGetsCw() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("X", EX.equals(null) ? NL : NL);
    h.hold("Y", CR);
    h.request("W1", CW);
    h.request("W2", PR);
    h.unlock("Y");
    assertTrue(h.basts("A").contains(CW));
  }

  @Test
  @DisplayName("dlm.md §5.2: a lock without a blocking callback is never basted")
  void noBastWithoutHandler() {
    LockResource r = new LockResource(ResourceName.of("r"), 0);
    r.request(new LockId(1), EX, LockFlags.NONE, null, false);
    Step s = r.request(new LockId(2), EX, LockFlags.NONE, null, true);
    assertTrue(((Step.Accepted) s).effects().isEmpty());
  }

  @Test
  @DisplayName("dlm.md §5.2 (callback layer): a bast compatible with the last granted mode is dropped")
  void filterDropsCompatible() {
    CallbackFilter f = new CallbackFilter();
    f.completed(PR);
    assertFalse(f.admitBlocking(CR), "CR is compatible with PR");
    assertTrue(f.admitBlocking(EX));
    assertFalse(f.admitBlocking(EX), "same mode twice in a row");
    assertFalse(f.admitBlocking(PW), "weaker than the previous EX bast, which is above PR");
    f.completed(PR);
    assertTrue(f.admitBlocking(PW), "a completion in between resets the run");
  }

  @Test
  @DisplayName("dlm.md §5.2 (callback layer): PR/CW inversion: a CW bast after a PR bast is delivered")
  void filterPrCwInversion() {
    CallbackFilter f = new CallbackFilter();
    f.completed(CW);
    assertTrue(f.admitBlocking(PR));
    f.completed(PR);
    assertTrue(f.admitBlocking(CW));
    assertTrue(f.admitBlocking(EX));
  }
}
