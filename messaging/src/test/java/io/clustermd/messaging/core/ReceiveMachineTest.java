package io.clustermd.messaging.core;

import static io.clustermd.dlm.core.LockMode.CR;
import static io.clustermd.dlm.core.LockMode.NL;
import static io.clustermd.dlm.core.LockMode.PR;
import static io.clustermd.dlm.core.LockMode.PW;
import static io.clustermd.messaging.core.CommLock.ACK;
import static io.clustermd.messaging.core.CommLock.MESSAGE;
import static io.clustermd.messaging.core.CommLock.NO_NEW_DEV;
import static io.clustermd.messaging.core.CommLock.RECEIPT;
import static io.clustermd.messaging.core.Table.lvb;
import static io.clustermd.messaging.core.Table.ok;
import static io.clustermd.messaging.core.Table.row;
import static io.clustermd.messaging.core.Table.start;
import static io.clustermd.messaging.core.Table.status;
import static io.clustermd.messaging.core.Table.tick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.message.LvbCodec;
import io.clustermd.messaging.message.Message;
import io.clustermd.proto.mdcluster.ClusterMessage;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The receive machine step by step (mdcluster.md §3.4): input → expected effects. */
class ReceiveMachineTest {

  private static final CommOptions OPTIONS = CommOptions.defaults();
  private static final Message REMOVE = new Message.Remove(2);
  private static final String RECEIPT_1 = "convert RECEIPT PW [VALBLK] lvb=Receipt[slot=slot1, lastProcessed=1, ready=true]";

  private static ReceiveMachine machine(long lastSeen, LockMode noNewDev) {
    return machine(lastSeen, 0, noNewDev);
  }

  private static ReceiveMachine machine(long lastSeen, long lastStale, LockMode noNewDev) {
    return new ReceiveMachine(MdSlot.of(1), lastSeen, lastStale, noNewDev, LvbCodec.PROTOBUF, OPTIONS);
  }

  private static void run(ReceiveMachine m, List<Table.Row> rows) {
    Table.run(rows, (in, at) -> in == null ? m.start(at) : m.step(in, at));
  }

  @Test
  @DisplayName("receive: message CR, read, process; receipt; ack ->NL; message ->PR (barrier); ack ->CR; message ->NL")
  void kernelSequence() {
    ReceiveMachine m = machine(0, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(1, ok(MESSAGE, CR, lvb(1, 0, REMOVE)), "process REMOVE #1 from slot0"),
            row(2, new CommInput.Processed(1), RECEIPT_1),
            row(3, ok(RECEIPT, PW), "convert ACK NL []"),
            row(4, ok(ACK, NL), "convert MESSAGE PR [VALBLK]"),
            row(5, ok(MESSAGE, PR), "convert ACK CR []"),
            row(6, ok(ACK, CR), "convert MESSAGE NL [VALBLK]"),
            row(7, ok(MESSAGE, NL))));
    assertTrue(m.done());
    assertEquals(ReceiveMachine.Result.PROCESSED, m.result());
    assertEquals(1, m.seqSeen());
  }

  @Test
  @DisplayName("a failing handler: no ack; wait at the PR barrier, then re-arm ack CR->CR, message ->NL")
  void handlerFails() {
    ReceiveMachine m = machine(0, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(1, ok(MESSAGE, CR, lvb(1, 0, REMOVE)), "process REMOVE #1 from slot0"),
            row(2, new CommInput.ProcessingFailed(1, "disk 2 unknown"), "note messaging.not-acked", "convert MESSAGE PR [VALBLK]"),
            row(3, ok(MESSAGE, PR), "convert ACK CR []"),
            row(4, ok(ACK, CR), "convert MESSAGE NL [VALBLK]"),
            row(5, ok(MESSAGE, NL))));
    assertEquals(ReceiveMachine.Result.NOT_ACKED, m.result());
    assertEquals("handler failed on REMOVE #1 from slot0: disk 2 unknown", m.reason());
  }

  @Test
  @DisplayName("a handler that does not finish in processMillisMax: no ack; the barrier waits twice the lock limit")
  void handlerTooSlow() {
    ReceiveMachine m = machine(0, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, lvb(1, 0, REMOVE)), "process REMOVE #1 from slot0"),
            row(19_999, tick()),
            row(20_000, tick(), "note messaging.not-acked", "convert MESSAGE PR [VALBLK]"),
            row(20_001, new CommInput.Processed(1)),
            row(79_999, tick()),
            row(80_000, tick(), "note messaging.timeout", "cancel MESSAGE"),
            row(80_001, status(MESSAGE, DlmStatus.ECANCEL, CR), "note messaging.barrier-expired", "convert ACK CR []"),
            row(80_002, ok(ACK, CR), "convert MESSAGE NL [VALBLK]"),
            row(80_003, ok(MESSAGE, NL))));
    assertTrue(m.reason().contains("did not finish REMOVE #1 from slot0 within 20000 ms"), m.reason());
  }

  @Test
  @DisplayName("a node never processes its own message")
  void ownMessage() {
    ReceiveMachine m = machine(0, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, lvb(1, 1, REMOVE)), "note messaging.not-acked", "convert MESSAGE PR [VALBLK]")));
    assertTrue(m.reason().startsWith("received its own message REMOVE #1 from slot1"), m.reason());
  }

  @Test
  @DisplayName("a stale wake-up (a dead sender's callback; the LVB holds a message already seen) re-arms ack CR->CR, then message ->NL")
  void stale() {
    ReceiveMachine m = machine(4, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, lvb(4, 0, REMOVE)), "note messaging.stale", "convert ACK CR []"),
            row(1, ok(ACK, CR), "convert MESSAGE NL [VALBLK]"),
            row(2, ok(MESSAGE, NL))));
    assertTrue(m.done());
    assertEquals(ReceiveMachine.Result.STALE, m.result());
    assertEquals(4, m.staleSeq());
  }

  @Test
  @DisplayName("the same stale message twice in a row: wait at the PR barrier before re-arming, so that a live sender cannot make this node spin")
  void staleAgain() {
    ReceiveMachine m = machine(4, 4, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, lvb(4, 0, REMOVE)), "note messaging.stale", "convert MESSAGE PR [VALBLK]"),
            row(59_999, tick()),
            row(60_000, tick(), "note messaging.timeout", "cancel MESSAGE"),
            row(60_001, status(MESSAGE, DlmStatus.ECANCEL, CR), "note messaging.barrier-expired", "convert ACK CR []"),
            row(60_002, ok(ACK, CR), "convert MESSAGE NL [VALBLK]"),
            row(60_003, ok(MESSAGE, NL))));
    assertTrue(m.done());
    assertEquals(ReceiveMachine.Result.STALE, m.result());
  }

  @Test
  @DisplayName("an unknown type (a newer node's) is refused and not acked, with the reason naming the type")
  void unknownType() {
    ClusterMessage unknown =
        ClusterMessage.newBuilder()
            .setSeq(3)
            .setSlot(0)
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(26, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build())
            .build();
    byte[] raw = new byte[64];
    byte[] p = unknown.toByteArray();
    raw[0] = (byte) p.length;
    System.arraycopy(p, 0, raw, 1, p.length);
    ReceiveMachine m = machine(2, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, raw), "note messaging.not-acked", "convert MESSAGE PR [VALBLK]")));
    assertTrue(m.reason().contains("unknown message type 10"), m.reason());
    assertEquals(3, m.seqSeen());
  }

  @Test
  @DisplayName("METADATA_UPDATED re-takes no-new-dev CR before processing when it was dropped")
  void metadataUpdatedRetakesNoNewDev() {
    ReceiveMachine m = machine(0, NL);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, lvb(1, 0, new Message.MetadataUpdated(0))), "convert NO_NEW_DEV CR []"),
            row(0, ok(NO_NEW_DEV, CR), "process METADATA_UPDATED #1 from slot0"),
            row(0, new CommInput.Processed(1), RECEIPT_1)));
    assertEquals(CR, m.noNewDev());
  }

  @Test
  @DisplayName("NEWDISK confirmed: the handler returns, the confirmation drops no-new-dev to NL, then ack")
  void newDiskConfirmed() {
    Message nd = new Message.NewDisk(Uuid16.parse("00112233445566778899aabbccddeeff"), 3);
    ReceiveMachine m = machine(0, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, lvb(1, 0, nd)), "process NEWDISK #1 from slot0"),
            row(1, new CommInput.Processed(1), "note messaging.newdisk-wait")));
    assertTrue(m.awaitsNewDiskAnswer());
    assertEquals(List.of("convert NO_NEW_DEV NL []"), Table.render(m.answerNewDisk(true, 2)));
    run(m, List.of(row(3, ok(NO_NEW_DEV, NL), RECEIPT_1), row(4, ok(RECEIPT, PW), "convert ACK NL []")));
    assertEquals(NL, m.noNewDev());
  }

  @Test
  @DisplayName("NEWDISK not confirmed in 5 s: ack without accepting the disk (no-new-dev stays CR)")
  void newDiskTimeout() {
    Message nd = new Message.NewDisk(Uuid16.parse("00112233445566778899aabbccddeeff"), 3);
    ReceiveMachine m = machine(0, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, lvb(1, 0, nd)), "process NEWDISK #1 from slot0"),
            row(100, new CommInput.Processed(1), "note messaging.newdisk-wait"),
            row(5_099, tick()),
            row(5_100, tick(), "note messaging.newdisk-timeout", RECEIPT_1),
            row(5_101, ok(RECEIPT, PW), "convert ACK NL []")));
    assertFalse(m.awaitsNewDiskAnswer());
    assertEquals(CR, m.noNewDev());
  }

  @Test
  @DisplayName("NEWDISK refused (nack): ack at once, no-new-dev stays CR")
  void newDiskRefused() {
    Message nd = new Message.NewDisk(Uuid16.parse("00112233445566778899aabbccddeeff"), 3);
    ReceiveMachine m = machine(0, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, lvb(1, 0, nd)), "process NEWDISK #1 from slot0"),
            row(1, new CommInput.Processed(1), "note messaging.newdisk-wait")));
    assertEquals(List.of(RECEIPT_1), Table.render(m.answerNewDisk(false, 2)));
  }

  @Test
  @DisplayName("a handler answer for another message is ignored")
  void lateAnswerIgnored() {
    ReceiveMachine m = machine(4, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(0, ok(MESSAGE, CR, lvb(5, 0, REMOVE)), "process REMOVE #5 from slot0"),
            row(1, new CommInput.Processed(4)),
            row(2, new CommInput.ProcessingFailed(3, "old")),
            row(3, new CommInput.Processed(5), "convert RECEIPT PW [VALBLK] lvb=Receipt[slot=slot1, lastProcessed=5, ready=true]")));
  }

  @Test
  @DisplayName("message CR not granted in time: cancelled, nothing read; ack re-armed CR->CR so that a sender's EX calls again")
  void unread() {
    ReceiveMachine m = machine(0, CR);
    run(
        m,
        List.of(
            start("convert MESSAGE CR [VALBLK]"),
            row(30_000, tick(), "note messaging.timeout", "cancel MESSAGE"),
            row(30_001, status(MESSAGE, DlmStatus.ECANCEL, NL), "note messaging.unread", "convert ACK CR []"),
            row(30_002, ok(ACK, CR), "convert MESSAGE NL [VALBLK]"),
            row(30_003, ok(MESSAGE, NL))));
    assertTrue(m.done());
    assertEquals(ReceiveMachine.Result.UNREAD, m.result());
  }
}
