package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.*;
import static io.clustermd.dlm.core.LockMode.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.Effect.Completion;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** dlm.md §7.1: conversion deadlock, the only deadlock fs/dlm detects. */
class DeadlockTest {

  @ParameterizedTest(name = "both hold {0}, both convert to {1}")
  @CsvSource({"PR, CW", "PR, EX", "PR, PW", "CR, EX", "CW, PR"})
  @DisplayName("dlm.md §7.1: without CONVDEADLK the second conversion fails with EDEADLK and keeps its mode")
  void withoutConvdeadlk(LockMode held, LockMode wanted) {
    Harness h = new Harness();
    h.hold("A", held);
    h.hold("B", held);
    h.convert("A", wanted);
    assertEquals(LockStatus.CONVERT, h.status("A"));
    h.convert("B", wanted);
    assertEquals(DlmStatus.EDEADLK, h.lastStatus("B"));
    assertEquals(Completion.Reason.REFUSED_CONVERSION_DEADLOCK, h.lastCompletion("B").reason());
    assertEquals(held, h.held("B"), "the refused conversion keeps the old mode");
    assertEquals(LockStatus.GRANTED, h.status("B"));
    assertEquals(LockStatus.CONVERT, h.status("A"), "A still waits, for B to give way");
  }

  @Test
  @DisplayName("dlm.md §7.1: PR<->CW sideways deadlock with CONVDEADLK: B demoted to NL, A granted, then B granted with DEMOTED")
  void sidewaysWithConvdeadlk() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("B", PR);
    h.convert("A", CW);
    assertEquals(LockStatus.CONVERT, h.status("A"), "PR (B) blocks CW");
    h.convert("B", CW, CONVDEADLK);
    assertEquals(CW, h.held("A"));
    assertEquals(CW, h.held("B"));
    Completion b = h.lastCompletion("B");
    assertEquals(DlmStatus.OK, b.status());
    assertTrue(SbFlag.isSet(b.sbFlags(), SbFlag.DEMOTED));
  }

  @Test
  @DisplayName("dlm.md §7.1: two PR holders converting to EX with CONVDEADLK: A gets EX, B is queued NL->EX and told DEMOTED")
  void prToExWithConvdeadlk() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("B", PR);
    h.convert("A", EX);
    h.convert("B", EX, CONVDEADLK);
    assertEquals(EX, h.held("A"));
    assertEquals(NL, h.held("B"));
    assertEquals(LockStatus.CONVERT, h.status("B"));
    h.convert("A", NL);
    Completion b = h.lastCompletion("B");
    assertEquals(EX, h.held("B"));
    assertTrue(SbFlag.isSet(b.sbFlags(), SbFlag.DEMOTED), "DEMOTED is reported with the eventual grant");
  }

  @Test
  @DisplayName("dlm.md §6 NODLCKWT: the deadlocked conversion is queued anyway, and basted itself when re-evaluated")
  void nodlckwt() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("B", PR);
    h.hold("K", NL);
    h.convert("A", EX);
    h.convert("B", EX, NODLCKWT);
    assertEquals(LockStatus.CONVERT, h.status("B"));
    h.unlock("K");
    assertEquals(List.of(EX), h.basts("B"), "B is told to give way: a bast for its own requested mode");
  }

  @Test
  @DisplayName("dlm.md §7.1: NOQUEUE disables deadlock detection: the conversion just fails with EAGAIN")
  void noqueueSkipsDetection() {
    Harness h = new Harness();
    h.hold("A", PR);
    h.hold("B", PR);
    h.convert("A", EX);
    h.convert("B", EX, NOQUEUE);
    assertEquals(DlmStatus.EAGAIN, h.lastStatus("B"));
    assertFalse(SbFlag.isSet(h.lastCompletion("B").sbFlags(), SbFlag.DEMOTED));
  }

  @Test
  @DisplayName("dlm.md §7.2: cross-resource cycles are not detected (nothing completes)")
  void crossResourceNotDetected() {
    Harness x = new Harness();
    Harness y = new Harness();
    x.hold("P", EX);
    y.hold("Q", EX);
    x.request("Q", EX);
    y.request("P", EX);
    assertEquals(LockStatus.WAITING, x.status("Q"));
    assertEquals(LockStatus.WAITING, y.status("P"));
  }
}
