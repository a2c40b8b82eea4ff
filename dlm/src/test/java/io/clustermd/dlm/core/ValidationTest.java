package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.*;
import static io.clustermd.dlm.core.LockMode.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** dlm.md §3.1: every synchronous refusal, and that a refusal changes nothing. */
class ValidationTest {

  record Case(String name, Function<Harness, Step> op, DlmError expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
            new Case("CANCEL passed to lock", h -> h.request("B", EX, CANCEL), DlmError.EINVAL),
            new Case("QUECVT on a new request", h -> h.request("B", EX, QUECVT), DlmError.EINVAL),
            new Case("CONVDEADLK on a new request", h -> h.request("B", EX, CONVDEADLK), DlmError.EINVAL),
            new Case("CONVDEADLK with NOQUEUE", h -> h.convert("A", EX, CONVDEADLK, NOQUEUE), DlmError.EINVAL),
            new Case("EXPEDITE on a conversion", h -> h.convert("A", NL, EXPEDITE), DlmError.EINVAL),
            new Case("EXPEDITE with NOQUEUE", h -> h.request("B", NL, EXPEDITE, NOQUEUE), DlmError.EINVAL),
            new Case("EXPEDITE for a mode other than NL", h -> h.request("B", PR, EXPEDITE), DlmError.EINVAL),
            new Case("VALBLK without a buffer", h -> h.request("B", PR, VALBLK), DlmError.EINVAL),
            new Case("QUECVT on a down-conversion", h -> h.convert("A", NL, QUECVT), DlmError.EINVAL),
            new Case("QUECVT on a same-mode conversion", h -> h.convert("A", PR, QUECVT), DlmError.EINVAL),
            new Case("unlock with a lock-only flag", h -> h.unlock("A", NOQUEUE), DlmError.EINVAL),
            new Case("unlock with CANCEL and FORCEUNLOCK", h -> h.unlock("A", CANCEL, FORCEUNLOCK), DlmError.EINVAL),
            new Case("convert of a waiting lock", h -> h.convert("W", NL), DlmError.EBUSY),
            new Case("convert of a converting lock", h -> h.convert("C", NL), DlmError.EBUSY),
            new Case(
                "convert of an unlocked lock",
                h -> {
                  h.unlock("A");
                  return h.convert("A", EX);
                },
                DlmError.ENOENT),
            new Case(
                "unlock of an unlocked lock",
                h -> {
                  h.unlock("A");
                  return h.unlock("A");
                },
                DlmError.ENOENT),
            new Case(
                "cancel of a lock whose NOQUEUE request failed",
                h -> {
                  h.request("N", EX, NOQUEUE);
                  return h.cancel("N");
                },
                DlmError.ENOENT))
        .map(Arguments::of);
  }

  /** A: PR granted; C: PR granted, converting to EX (blocked by A); W: EX waiting. */
  private static Harness setup() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("C", PR);
    h.convert("C", EX);
    h.request("W", EX);
    return h;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  @DisplayName("dlm.md §3.1: refused with the kernel's error, nothing changed")
  void refused(Case c) {
    Harness h = setup();
    String before = h.r.toString();
    int callbacks = h.log.size();
    Step s = c.op().apply(h);
    assertEquals(c.expected(), Harness.rejected(s), c.name());
    assertFalse(((Step.Rejected) s).reason().isBlank(), "a refusal says why");
    if (!c.name().contains("unlocked") && !c.name().contains("NOQUEUE request failed")) {
      assertEquals(before, h.r.toString(), "a refusal changes no queue");
      assertEquals(callbacks, h.log.size(), "a refusal produces no callback");
    }
  }
}
