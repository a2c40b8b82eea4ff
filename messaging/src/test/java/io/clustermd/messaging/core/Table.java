package io.clustermd.messaging.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.LvbCodec;
import io.clustermd.messaging.message.Message;
import io.clustermd.messaging.message.Receipt;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Step-by-step tables for the machines: each row is an input at a time and the effects it must
 * produce, rendered as text ({@link CommEffect#toString()}; notes as {@code note <event>}).
 */
final class Table {

  /** One row: at {@code at}, {@code input} (null = the machine's start) yields {@code expected}. */
  record Row(long at, CommInput input, List<String> expected) {}

  static Row row(long at, CommInput input, String... expected) {
    return new Row(at, input, List.of(expected));
  }

  static Row start(String... expected) {
    return new Row(0, null, List.of(expected));
  }

  /**
   * Runs the rows; {@code step} maps (input or null for start, time) to effects.
   *
   * @return every effect produced, in order
   */
  static List<CommEffect> run(List<Row> rows, BiFunction<CommInput, Long, List<CommEffect>> step) {
    List<CommEffect> all = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      List<CommEffect> effects = step.apply(r.input(), r.at());
      all.addAll(effects);
      assertEquals(
          r.expected(),
          render(effects),
          "row " + i + " at t=" + r.at() + " input " + (r.input() == null ? "start" : r.input()));
    }
    return all;
  }

  static List<String> render(List<CommEffect> effects) {
    List<String> out = new ArrayList<>(effects.size());
    for (CommEffect e : effects) {
      out.add(e instanceof CommEffect.Note n ? "note " + n.event() : e.toString());
    }
    return out;
  }

  static CommInput.LockDone ok(CommLock lock, LockMode mode) {
    return new CommInput.LockDone(lock, DlmStatus.OK, mode, lock.hasLvb() ? new byte[64] : null, false);
  }

  static CommInput.LockDone ok(CommLock lock, LockMode mode, byte[] lvb) {
    return new CommInput.LockDone(lock, DlmStatus.OK, mode, lvb, false);
  }

  static CommInput.LockDone status(CommLock lock, DlmStatus status, LockMode modeAfter) {
    return new CommInput.LockDone(lock, status, modeAfter, lock.hasLvb() ? new byte[64] : null, false);
  }

  static CommInput.LockDone unlocked(CommLock lock) {
    return new CommInput.LockDone(lock, DlmStatus.EUNLOCK, null, lock.hasLvb() ? new byte[64] : null, false);
  }

  static byte[] lvb(long seq, int sender, Message m) {
    return LvbCodec.encode(new Envelope(seq, MdSlot.of(sender), m));
  }

  static byte[] receipt(int slot, long lastProcessed, boolean ready) {
    return LvbCodec.encode(new Receipt(MdSlot.of(slot), lastProcessed, ready));
  }

  static CommInput tick() {
    return new CommInput.Tick();
  }

  private Table() {}
}
