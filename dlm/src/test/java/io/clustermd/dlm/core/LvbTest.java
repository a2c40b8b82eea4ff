package io.clustermd.dlm.core;

import static io.clustermd.dlm.core.LockFlag.IVVALBLK;
import static io.clustermd.dlm.core.LockFlag.VALBLK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.Effect.Completion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** dlm.md §1.3 (every cell of the LVB table) and §8 (VALNOTVALID, IVVALBLK, lifetime). */
class LvbTest {

  private static final int LEN = 32;
  private static final byte[] V = Harness.lvb(LEN, 0x56);
  private static final byte[] W = Harness.lvb(LEN, 0x77);
  private static final LockMode[] MODES = LockMode.values();

  /** A resource whose LVB holds V, kept alive by an NL lock "K" that uses no LVB. */
  private static Harness resourceHoldingV() {
    Harness h = new Harness(LEN);
    h.hold("K", LockMode.NL);
    h.request("X", LockMode.EX, V.clone(), VALBLK);
    h.unlock("X", V.clone(), VALBLK);
    assertArrayEquals(V, h.r.lvbValue());
    assertEquals(1, h.r.lvbSequence());
    return h;
  }

  @ParameterizedTest(name = "granted {0}: {1}")
  @DisplayName("dlm.md §1.3: each grant reads (R), writes (W) or leaves (-) the LVB as the table says")
  @CsvSource(
      delimiter = '|',
      value = {
        // granted | to NL CR CW PR PW EX
        "new | R R R R R R",
        "NL  | R R R R R R",
        "CR  | - R R R R R",
        "CW  | - - R R R R",
        "PR  | - - - R R R",
        "PW  | W W W W W R",
        "EX  | W W W W W W",
      })
  void lvbTable(String granted, String row) {
    String[] cells = row.trim().split("\\s+");
    for (int c = 0; c < MODES.length; c++) {
      Harness h = resourceHoldingV();
      Completion done;
      if (granted.equals("new")) {
        h.request("L", MODES[c], new byte[LEN], VALBLK);
        done = h.lastCompletion("L");
      } else {
        h.request("L", LockMode.valueOf(granted), new byte[LEN], VALBLK);
        h.convert("L", MODES[c], W.clone(), VALBLK);
        done = h.lastCompletion("L");
      }
      String cell = granted + "->" + MODES[c];
      assertEquals(DlmStatus.OK, done.status(), cell);
      switch (cells[c]) {
        case "R" -> {
          assertArrayEquals(V, done.lvb(), cell + " reads the resource's value");
          assertArrayEquals(V, h.r.lvbValue(), cell + " leaves the resource's value");
        }
        case "W" -> {
          assertNull(done.lvb(), cell + " returns nothing");
          assertArrayEquals(W, h.r.lvbValue(), cell + " writes the holder's value");
          assertEquals(2, h.r.lvbSequence(), cell + " counts the write");
        }
        case "-" -> {
          assertNull(done.lvb(), cell + " returns nothing");
          assertArrayEquals(V, h.r.lvbValue(), cell + " leaves the resource's value");
          assertEquals(1, h.r.lvbSequence(), cell);
        }
        default -> throw new AssertionError(cells[c]);
      }
    }
  }

  @ParameterizedTest(name = "unlock from {0} writes: {1}")
  @DisplayName("dlm.md §1.3: an unlock with VALBLK writes the LVB only from PW or EX")
  @CsvSource({"NL, false", "CR, false", "CW, false", "PR, false", "PW, true", "EX, true"})
  void unlockWritesOnlyFromPwOrEx(LockMode mode, boolean writes) {
    Harness h = resourceHoldingV();
    h.request("L", mode, new byte[LEN], VALBLK);
    h.unlock("L", W.clone(), VALBLK);
    assertArrayEquals(writes ? W : V, h.r.lvbValue());
  }

  @Test
  @DisplayName("dlm.md §1.3: without VALBLK nothing is read or written")
  void noValblkNoTransfer() {
    Harness h = resourceHoldingV();
    h.request("L", LockMode.EX, new byte[LEN]);
    assertNull(h.lastCompletion("L").lvb());
    h.unlock("L", W.clone());
    assertArrayEquals(V, h.r.lvbValue());
  }

  @Test
  @DisplayName("dlm.md §8: IVVALBLK on unlock from EX flags VALNOTVALID on every later read until a PW/EX holder writes")
  void ivvalblkThenWriteClears() {
    Harness h = resourceHoldingV();
    h.request("X", LockMode.EX, V.clone(), VALBLK);
    h.unlock("X", IVVALBLK);
    assertTrue(h.r.lvbNotValid());

    h.request("R1", LockMode.PR, new byte[LEN], VALBLK);
    assertTrue(SbFlag.isSet(h.lastCompletion("R1").sbFlags(), SbFlag.VALNOTVALID));
    h.request("R2", LockMode.CR, new byte[LEN], VALBLK);
    assertTrue(SbFlag.isSet(h.lastCompletion("R2").sbFlags(), SbFlag.VALNOTVALID), "kept until written");
    h.unlock("R1");
    h.unlock("R2");

    h.request("Y", LockMode.PW, new byte[LEN], VALBLK);
    assertTrue(SbFlag.isSet(h.lastCompletion("Y").sbFlags(), SbFlag.VALNOTVALID));
    h.convert("Y", LockMode.NL, W.clone(), VALBLK);
    assertFalse(SbFlag.isSet(h.lastCompletion("Y").sbFlags(), SbFlag.VALNOTVALID), "the write itself is valid");
    assertFalse(h.r.lvbNotValid());

    h.request("R3", LockMode.PR, new byte[LEN], VALBLK);
    assertFalse(SbFlag.isSet(h.lastCompletion("R3").sbFlags(), SbFlag.VALNOTVALID));
    assertArrayEquals(W, h.lastCompletion("R3").lvb());
  }

  @Test
  @DisplayName("dlm.md §8: IVVALBLK on a down-conversion from PW invalidates; below PW it is ignored")
  void ivvalblkOnDownConversion() {
    Harness h = resourceHoldingV();
    h.request("A", LockMode.PR, new byte[LEN], VALBLK);
    h.convert("A", LockMode.NL, IVVALBLK);
    assertFalse(h.r.lvbNotValid(), "ignored below PW");
    h.request("B", LockMode.PW, new byte[LEN], VALBLK);
    h.convert("B", LockMode.CR, IVVALBLK);
    assertTrue(h.r.lvbNotValid());
    assertArrayEquals(V, h.r.lvbValue(), "invalidated, not overwritten");
  }

  @Test
  @DisplayName("dlm.md §8: VALNOTVALID is reported on a '-' conversion even without VALBLK, but not on a read without VALBLK")
  void valnotvalidReporting() {
    Harness h = resourceHoldingV();
    h.request("X", LockMode.EX, V.clone(), VALBLK);
    h.unlock("X", IVVALBLK);
    h.request("A", LockMode.CR, new byte[LEN]);
    assertFalse(SbFlag.isSet(h.lastCompletion("A").sbFlags(), SbFlag.VALNOTVALID), "a read without VALBLK");
    h.convert("A", LockMode.NL);
    assertTrue(SbFlag.isSet(h.lastCompletion("A").sbFlags(), SbFlag.VALNOTVALID), "CR->NL is a '-' cell");
  }

  @Test
  @DisplayName("dlm.md §8: the LVB is freed with the resource's last lock; a later read leaves the buffer untouched")
  void lvbFreedWithLastLock() {
    Harness h = new Harness(LEN);
    h.request("X", LockMode.EX, V.clone(), VALBLK);
    h.unlock("X", V.clone(), VALBLK);
    assertTrue(h.r.isUnused());
    assertNull(h.r.lvbValue());
    h.request("Y", LockMode.PR, W.clone(), VALBLK);
    assertNull(h.lastCompletion("Y").lvb(), "no value to read");
    assertArrayEquals(W, h.r.lock(h.id("Y")).lvb(), "the holder's buffer is untouched");
  }

  @Test
  @DisplayName("dlm.md §8: a queued request reads the LVB when it is granted, after the writer released")
  void queuedGrantReadsLatestValue() {
    Harness h = new Harness(LEN);
    h.request("X", LockMode.EX, V.clone(), VALBLK);
    h.request("Y", LockMode.PR, new byte[LEN], VALBLK);
    assertEquals(LockStatus.WAITING, h.status("Y"));
    h.convert("X", LockMode.NL, W.clone(), VALBLK);
    assertArrayEquals(W, h.lastCompletion("Y").lvb());
  }

  @Test
  @DisplayName("dlm.md §8: an LVB buffer of the wrong length is refused, naming both lengths")
  void wrongLengthRefused() {
    Harness h = new Harness(LEN);
    Step s = h.request("A", LockMode.EX, new byte[16], VALBLK);
    assertEquals(DlmError.EINVAL, Harness.rejected(s));
    assertTrue(((Step.Rejected) s).reason().contains("16"));
    assertTrue(((Step.Rejected) s).reason().contains("32"));
  }
}
