package io.clustermd.messaging.core;

import static io.clustermd.dlm.core.LockMode.CR;
import static io.clustermd.dlm.core.LockMode.CW;
import static io.clustermd.dlm.core.LockMode.EX;
import static io.clustermd.dlm.core.LockMode.NL;
import static io.clustermd.messaging.core.CommLock.ACK;
import static io.clustermd.messaging.core.CommLock.MESSAGE;
import static io.clustermd.messaging.core.Table.lvb;
import static io.clustermd.messaging.core.Table.ok;
import static io.clustermd.messaging.core.Table.receipt;
import static io.clustermd.messaging.core.Table.row;
import static io.clustermd.messaging.core.Table.start;
import static io.clustermd.messaging.core.Table.status;
import static io.clustermd.messaging.core.Table.tick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.messaging.message.LvbCodec;
import io.clustermd.messaging.message.Message;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The send machine step by step (mdcluster.md §3.3): input → expected effects. */
class SendMachineTest {

  private static final CommOptions OPTIONS = CommOptions.defaults();
  private static final Message REMOVE = new Message.Remove(2);

  private static SendMachine machine(long lastSeen) {
    return new SendMachine(MdSlot.of(0), 3, REMOVE, lastSeen, LvbCodec.PROTOBUF, OPTIONS);
  }

  private static List<CommEffect> run(SendMachine m, List<Table.Row> rows) {
    return Table.run(rows, (in, at) -> in == null ? m.start(at) : m.step(in, at));
  }

  @Test
  @DisplayName("send: token is held; message EX, write, EX->CW, ack CR->EX, EX->CR, message ->NL")
  void kernelSequence() {
    SendMachine m = machine(0);
    run(
        m,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(1, ok(MESSAGE, EX), "convert MESSAGE CW [VALBLK] lvb=REMOVE #1 from slot0"),
            row(2, ok(MESSAGE, CW), "convert ACK EX []"),
            row(3, ok(ACK, EX), "convert ACK CR []"),
            row(4, ok(ACK, CR), "convert MESSAGE NL [VALBLK]"),
            row(5, ok(MESSAGE, NL))));
    assertTrue(m.done());
    assertNull(m.failure());
    assertEquals(new Outcome.Sent(1), m.outcome());
  }

  @Test
  @DisplayName("the message is numbered after both the LVB's message and the last one this node saw")
  void numbering() {
    SendMachine behindLvb = machine(3);
    run(
        behindLvb,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(1, ok(MESSAGE, EX, lvb(7, 2, new Message.ChangeCapacity())),
                "convert MESSAGE CW [VALBLK] lvb=REMOVE #8 from slot0")));
    SendMachine aheadOfLvb = machine(9);
    run(
        aheadOfLvb,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(1, ok(MESSAGE, EX, lvb(7, 2, new Message.ChangeCapacity())),
                "convert MESSAGE CW [VALBLK] lvb=REMOVE #10 from slot0")));
  }

  @Test
  @DisplayName("ack EX not granted in 30 s: cancelled, receipts read, error names the message and the non-acking node")
  void ackTimeoutNamesNonAckers() {
    SendMachine m = machine(0);
    Map<MdSlot, byte[]> receipts = new HashMap<>();
    receipts.put(MdSlot.of(1), receipt(1, 1, true));
    receipts.put(MdSlot.of(2), receipt(2, 0, true));
    run(
        m,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(0, ok(MESSAGE, EX), "convert MESSAGE CW [VALBLK] lvb=REMOVE #1 from slot0"),
            row(0, ok(MESSAGE, CW), "convert ACK EX []"),
            row(29_999, tick()),
            row(30_000, tick(), "note messaging.timeout", "cancel ACK"),
            row(30_001, status(ACK, DlmStatus.ECANCEL, CR), "read receipts [slot1, slot2]"),
            row(30_002, new CommInput.ReceiptsRead(receipts), "convert MESSAGE NL [VALBLK]"),
            row(30_003, ok(MESSAGE, NL))));
    assertTrue(m.done());
    CommFailure f = m.failure();
    assertNotNull(f);
    assertEquals(CommFailure.Kind.NOT_ACKNOWLEDGED, f.kind());
    assertEquals(List.of(MdSlot.of(2)), f.notAcked());
    assertEquals(
        "REMOVE #1 from slot0 was not acknowledged within 30000 ms by slot2 (processed nothing yet)",
        f.description());
    assertNull(m.outcome());
  }

  @Test
  @DisplayName("non-ackers: a node not ready, an unreadable receipt; an empty receipt is not a member")
  void nonAckerKinds() {
    SendMachine m = new SendMachine(MdSlot.of(1), 4, REMOVE, 4, LvbCodec.PROTOBUF, OPTIONS);
    Map<MdSlot, byte[]> receipts = new HashMap<>();
    receipts.put(MdSlot.of(0), receipt(0, 0, false));
    receipts.put(MdSlot.of(2), null);
    receipts.put(MdSlot.of(3), new byte[64]);
    run(
        m,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(0, ok(MESSAGE, EX), "convert MESSAGE CW [VALBLK] lvb=REMOVE #5 from slot1"),
            row(0, ok(MESSAGE, CW), "convert ACK EX []"),
            row(30_000, tick(), "note messaging.timeout", "cancel ACK"),
            row(30_000, status(ACK, DlmStatus.ECANCEL, CR), "read receipts [slot0, slot2, slot3]"),
            row(30_000, new CommInput.ReceiptsRead(receipts), "convert MESSAGE NL [VALBLK]"),
            row(30_000, ok(MESSAGE, NL))));
    assertEquals(List.of(MdSlot.of(0), MdSlot.of(2)), m.failure().notAcked());
    assertEquals(
        "REMOVE #5 from slot1 was not acknowledged within 30000 ms by slot0 (joined, not ready: holds messages),"
            + " slot2 (receipt unreadable)",
        m.failure().description());
  }

  @Test
  @DisplayName("a cancel that loses to the grant counts as granted: the send completes")
  void cancelLostToGrant() {
    SendMachine m = machine(0);
    run(
        m,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(0, ok(MESSAGE, EX), "convert MESSAGE CW [VALBLK] lvb=REMOVE #1 from slot0"),
            row(0, ok(MESSAGE, CW), "convert ACK EX []"),
            row(30_000, tick(), "note messaging.timeout", "cancel ACK"),
            row(30_001, ok(ACK, EX), "convert ACK CR []"),
            row(30_002, ok(ACK, CR), "convert MESSAGE NL [VALBLK]"),
            row(30_003, ok(MESSAGE, NL))));
    assertEquals(new Outcome.Sent(1), m.outcome());
  }

  @Test
  @DisplayName("message EX not granted in time: cancelled, the send fails and message stays NL")
  void messageTimeout() {
    SendMachine m = machine(0);
    run(
        m,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(30_000, tick(), "note messaging.timeout", "cancel MESSAGE"),
            row(30_001, status(MESSAGE, DlmStatus.ECANCEL, NL))));
    assertTrue(m.done());
    assertEquals(CommFailure.Kind.LOCK_FAILED, m.failure().kind());
    assertTrue(m.failure().description().startsWith("REMOVE was not sent: §3.3: message NL→EX"), m.failure().description());
    assertTrue(m.failure().description().endsWith("not granted within 30000 ms"), m.failure().description());
  }

  @Test
  @DisplayName("a refused conversion fails the send at once")
  void refused() {
    SendMachine m = machine(0);
    run(
        m,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(0, new CommInput.LockRefused(MESSAGE, "EINVAL: lockspace closed"))));
    assertTrue(m.failure().description().contains("refused: EINVAL: lockspace closed"), m.failure().description());
  }

  @Test
  @DisplayName("the receipts cannot be read in time: the error says so, message still goes NL")
  void receiptsUnread() {
    SendMachine m = machine(0);
    run(
        m,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(0, ok(MESSAGE, EX), "convert MESSAGE CW [VALBLK] lvb=REMOVE #1 from slot0"),
            row(0, ok(MESSAGE, CW), "convert ACK EX []"),
            row(30_000, tick(), "note messaging.timeout", "cancel ACK"),
            row(30_000, status(ACK, DlmStatus.ECANCEL, CR), "read receipts [slot1, slot2]"),
            row(59_999, tick()),
            row(60_000, tick(), "convert MESSAGE NL [VALBLK]"),
            row(60_001, ok(MESSAGE, NL))));
    assertTrue(m.failure().description().contains("could not be read within 30000 ms"), m.failure().description());
  }

  @Test
  @DisplayName("a cancel that never completes leaves the machine broken")
  void cancelNeverCompletes() {
    SendMachine m = machine(0);
    run(
        m,
        List.of(
            start("convert MESSAGE EX [VALBLK]"),
            row(30_000, tick(), "note messaging.timeout", "cancel MESSAGE"),
            row(59_999, tick()),
            row(60_000, tick())));
    assertNotNull(m.broken());
    assertTrue(m.broken().contains("MESSAGE is in an unknown state"), m.broken());
  }
}
