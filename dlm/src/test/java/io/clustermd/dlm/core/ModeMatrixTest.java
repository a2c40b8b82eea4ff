package io.clustermd.dlm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * dlm.md §1.1 and §1.2, cell by cell, through behaviour: the tables below are copied from the
 * reference text, and each cell is checked by locking, not by reading the code's table.
 */
class ModeMatrixTest {

  private static final LockMode[] MODES = LockMode.values();

  @ParameterizedTest(name = "granted {0}: {1}")
  @DisplayName("dlm.md §1.1: a NOQUEUE request is granted beside a holder exactly when the modes are compatible")
  @CsvSource(
      delimiter = '|',
      value = {
        // granted | NL CR CW PR PW EX
        "NL | 1 1 1 1 1 1",
        "CR | 1 1 1 1 1 0",
        "CW | 1 1 1 0 0 0",
        "PR | 1 1 0 1 0 0",
        "PW | 1 1 0 0 0 0",
        "EX | 1 0 0 0 0 0",
      })
  void compatibilityMatrix(LockMode granted, String row) {
    String[] cells = row.trim().split("\\s+");
    for (int c = 0; c < MODES.length; c++) {
      Harness h = new Harness();
      h.hold("A", granted);
      h.request("B", MODES[c], LockFlag.NOQUEUE);
      DlmStatus expected = cells[c].equals("1") ? DlmStatus.OK : DlmStatus.EAGAIN;
      assertEquals(expected, h.lastStatus("B"), granted + " held, " + MODES[c] + " requested");
      assertEquals(cells[c].equals("1"), granted.compatibleWith(MODES[c]));
    }
  }

  @ParameterizedTest(name = "from {0}: {1}")
  @DisplayName("dlm.md §1.2: QUECVT is accepted only for the upward and middle conversions")
  @CsvSource(
      delimiter = '|',
      value = {
        // from | to NL CR CW PR PW EX
        "NL | 0 1 1 1 1 1",
        "CR | 0 0 1 1 1 1",
        "CW | 0 0 0 1 1 1",
        "PR | 0 0 1 0 1 1",
        "PW | 0 0 0 0 0 1",
        "EX | 0 0 0 0 0 0",
      })
  void quecvtMatrix(LockMode from, String row) {
    String[] cells = row.trim().split("\\s+");
    for (int c = 0; c < MODES.length; c++) {
      Harness h = new Harness();
      h.hold("A", from);
      Step s = h.convert("A", MODES[c], LockFlag.QUECVT);
      if (cells[c].equals("1")) {
        assertInstanceOf(Step.Accepted.class, s, from + "->" + MODES[c]);
        assertEquals(MODES[c], h.held("A"));
      } else {
        assertEquals(DlmError.EINVAL, Harness.rejected(s), from + "->" + MODES[c]);
        assertEquals(from, h.held("A"), "a refused conversion changes nothing");
      }
    }
  }

  @ParameterizedTest(name = "{0}->{1} down={2} middle={3}")
  @DisplayName("dlm.md §1: PR and CW are incomparable; every other order is numeric")
  @CsvSource({
    "EX, PW, true, false",
    "PW, NL, true, false",
    "PR, CW, false, true",
    "CW, PR, false, true",
    "CW, CR, true, false",
    "CR, EX, false, false",
    "PR, PR, false, false",
  })
  void conversionDirections(LockMode from, LockMode to, boolean down, boolean middle) {
    assertEquals(down, from.isDownConversionTo(to));
    assertEquals(middle, from.isMiddleConversionTo(to));
  }
}
