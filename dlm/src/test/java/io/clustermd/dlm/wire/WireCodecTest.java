package io.clustermd.dlm.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.LockResource.LockSnapshot;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.cluster.DlmMessage;
import io.clustermd.dlm.core.cluster.DlmMessage.Operation;
import io.clustermd.dlm.core.cluster.DlmMessage.Outcome;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.Slot;
import io.clustermd.dlm.core.link.Frame;
import io.clustermd.proto.dlm.LinkFrame;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every DLM message survives protobuf and back with every field; bad input is refused by name. */
class WireCodecTest {

  private static final NodeId A = new NodeId("akka://clustermd@127.0.0.1:2551#7", 11);
  private static final NodeId B = new NodeId("akka://clustermd@127.0.0.1:2552#9", 12);
  private static final ResourceName R = ResourceName.of("bitmap0002");
  private static final byte[] LVB = {1, 2, 3, 4, 5, 6, 7, 8};
  private static final DlmMessage.RunId RUN = new DlmMessage.RunId(List.of(A, B), 4);

  /** One instance of every message type, with every optional field set and, where allowed, unset. */
  static Stream<DlmMessage> messages() {
    return Stream.of(
        new DlmMessage.Lookup(R),
        new DlmMessage.LookupReply(R, A),
        new DlmMessage.LookupReply(R, null),
        new DlmMessage.Remove(R),
        new DlmMessage.Request(new LockId(3), R, LockMode.PW, LockFlags.of(LockFlag.VALBLK, LockFlag.NOQUEUE).bits(), LVB, true),
        new DlmMessage.Request(new LockId(3), R, LockMode.NL, 0, null, false),
        new DlmMessage.Convert(new LockId(5), new LockId(3), R, LockMode.EX, LockFlags.of(LockFlag.CONVERT).bits(), LVB, true),
        new DlmMessage.Convert(new LockId(5), new LockId(3), R, LockMode.NL, 0, null, false),
        new DlmMessage.Unlock(new LockId(5), new LockId(3), R, 0, LVB),
        new DlmMessage.Cancel(new LockId(5), new LockId(3), R),
        new DlmMessage.Reply(Operation.CONVERT, new LockId(3), new LockId(5), R, Outcome.COMPLETED, DlmStatus.OK,
            LockMode.PR, 0x02, LVB, 17, null, null),
        new DlmMessage.Reply(Operation.REQUEST, new LockId(3), null, R, Outcome.REJECTED, null, null, 0, null, 0,
            DlmError.EINVAL, "bad flags"),
        new DlmMessage.Reply(Operation.CANCEL, new LockId(3), new LockId(5), R, Outcome.NOTHING, DlmStatus.ECANCEL,
            LockMode.CR, 0, null, 0, null, null),
        new DlmMessage.Grant(new LockId(3), R, DlmStatus.OK, LockMode.EX, 0x04, LVB, 2),
        new DlmMessage.Bast(new LockId(3), R, LockMode.CW),
        new DlmMessage.Status(List.of(A, B), 2, 9, 64, 3),
        new DlmMessage.StartDirectory(RUN, List.of(new Slot(A, 1), new Slot(B, 2)), 10, List.of(A, B), List.of(3L, 4L)),
        new DlmMessage.DirectoryNames(RUN, List.of(R, ResourceName.of("token"))),
        new DlmMessage.PhaseDone(RUN, DlmMessage.Phase.LOCKS),
        new DlmMessage.StartMasters(RUN),
        new DlmMessage.RecoveryLookup(RUN, R),
        new DlmMessage.RecoveryLookupReply(RUN, R, B),
        new DlmMessage.RecoverLocks(RUN, R, List.of(
            new LockSnapshot(new LockId(3), LockMode.PR, null, LockFlags.of(LockFlag.VALBLK), LVB, 5, true),
            new LockSnapshot(new LockId(4), null, LockMode.EX, LockFlags.NONE, null, 0, false))),
        new DlmMessage.RecoverLocksAck(RUN, R, List.of(new LockId(3), new LockId(4)), List.of(new LockId(8), new LockId(9))),
        new DlmMessage.Resume(RUN, List.of(new Slot(A, 1)), 10),
        new DlmMessage.JoinRefused(List.of(A, B), "lockspace md0 uses an LVB length of 64 bytes; x asked for 32"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  @DisplayName("encode → decode → encode gives the same bytes, and the decoded record names the same fields")
  void roundTrip(DlmMessage m) {
    var wire = WireCodec.encode(m);
    DlmMessage back = WireCodec.decode(wire);
    assertEquals(m.getClass(), back.getClass());
    assertEquals(wire, WireCodec.encode(back));
    assertEquals(normalise(m.toString()), normalise(back.toString()));
  }

  /** Records print byte arrays by identity; compare the rest. */
  private static String normalise(String s) {
    return s.replaceAll("\\[B@[0-9a-f]+", "bytes");
  }

  @Test
  @DisplayName("a link frame keeps incarnations, seq, ack and payload; an ack-only frame has no payload")
  void frames() {
    Frame<DlmMessage> data = Frame.data(11, 12, 7, 3, new DlmMessage.Lookup(R));
    LinkFrame f = WireCodec.encodeFrame("md0", A, data);
    assertEquals("md0", f.getLockspace());
    assertEquals(A, WireCodec.node(f.getSender()));
    Frame<DlmMessage> back = WireCodec.decodeFrame(f);
    assertEquals(List.of(11L, 12L, 7L, 3L), List.of(back.senderIncarnation(), back.receiverIncarnation(), back.seq(), back.ack()));
    assertTrue(back.payload() instanceof DlmMessage.Lookup);
    Frame<DlmMessage> ack = WireCodec.decodeFrame(WireCodec.encodeFrame("md0", A, Frame.ackOnly(11, 12, 9)));
    assertEquals(null, ack.payload());
    assertEquals(9, ack.ack());
  }

  @Test
  @DisplayName("bad input is refused with the field named: unknown kind, mode, status, unpaired ids, bad frame")
  void refusals() {
    assertMessage("without a kind", () -> WireCodec.decode(io.clustermd.proto.dlm.DlmMessage.getDefaultInstance()));
    var badMode = io.clustermd.proto.dlm.DlmMessage.newBuilder()
        .setBast(io.clustermd.proto.dlm.Bast.newBuilder().setHolderId(1).setName(com.google.protobuf.ByteString.copyFromUtf8("r")).setMode(9))
        .build();
    assertMessage("lock mode 9", () -> WireCodec.decode(badMode));
    var badStatus = io.clustermd.proto.dlm.DlmMessage.newBuilder()
        .setGrant(io.clustermd.proto.dlm.Grant.newBuilder().setHolderId(1).setName(com.google.protobuf.ByteString.copyFromUtf8("r")).setMode(5).setStatus(-99))
        .build();
    assertMessage("status -99", () -> WireCodec.decode(badStatus));
    var unpaired = io.clustermd.proto.dlm.DlmMessage.newBuilder()
        .setRecoverLocksAck(io.clustermd.proto.dlm.RecoverLocksAck.newBuilder()
            .setRun(io.clustermd.proto.dlm.RunId.newBuilder().addMembers(WireCodec.node(A)))
            .setName(com.google.protobuf.ByteString.copyFromUtf8("r")).addHolderIds(1))
        .build();
    assertMessage("pairs 1 holder ids with 0", () -> WireCodec.decode(unpaired));
    LinkFrame noIncarnation = LinkFrame.newBuilder().setLockspace("md0").setSender(WireCodec.node(A)).setSeq(0).build();
    assertMessage("incarnations", () -> WireCodec.decodeFrame(noIncarnation));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
    WireException x = assertThrows(WireException.class, e);
    assertTrue(x.getMessage().contains(expected), x.getMessage());
  }
}
