package io.clustermd.messaging.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.proto.mdcluster.BitmapNeedsSync;
import io.clustermd.proto.mdcluster.BitmapResize;
import io.clustermd.proto.mdcluster.ChangeCapacity;
import io.clustermd.proto.mdcluster.ClusterMessage;
import io.clustermd.proto.mdcluster.MetadataUpdated;
import io.clustermd.proto.mdcluster.NewDisk;
import io.clustermd.proto.mdcluster.ReAdd;
import io.clustermd.proto.mdcluster.Remove;
import io.clustermd.proto.mdcluster.Resyncing;
import io.clustermd.proto.mdcluster.ResyncingStart;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class LvbCodecTest {

  private static final Uuid16 UUID = Uuid16.parse("0123456789abcdef0011223344556677");

  static Stream<Message> everyType() {
    return Stream.of(
        new Message.MetadataUpdated(3),
        Message.Resyncing.window(SectorRange.ofLength(65536, 65536)),
        Message.Resyncing.finished(),
        new Message.NewDisk(UUID, 4),
        new Message.Remove(1),
        new Message.ReAdd(2),
        new Message.BitmapNeedsSync(),
        new Message.ChangeCapacity(),
        new Message.BitmapResize(1L << 40),
        new Message.ResyncingStart());
  }

  @ParameterizedTest
  @MethodSource("everyType")
  @DisplayName("every message type survives encode/decode through a 64-byte LVB")
  void roundTrip(Message m) {
    Envelope e = new Envelope(42, MdSlot.of(5), m);
    byte[] lvb = LvbCodec.encode(e);
    assertEquals(LvbCodec.LVB_BYTES, lvb.length);
    assertEquals(e, LvbCodec.decode(lvb));
    assertEquals(42, LvbCodec.peekSeq(lvb).getAsLong());
  }

  @Test
  @DisplayName("the test list covers every message type")
  void everyTypeCovered() {
    Set<MessageType> seen = EnumSet.noneOf(MessageType.class);
    everyType().forEach(m -> seen.add(m.type()));
    assertEquals(EnumSet.allOf(MessageType.class), seen);
  }

  /**
   * The largest protobuf each body can produce: every integer at its wire type's maximum (uint64
   * and uint32 all ones encode as 10 and 5 varint bytes), a 16-byte uuid, seq and slot at their
   * maxima. A new oneof case without an entry here fails the test.
   */
  static ClusterMessage largest(ClusterMessage.BodyCase c) {
    ClusterMessage.Builder b = ClusterMessage.newBuilder().setSeq(-1L).setSlot(-1);
    switch (c) {
      case METADATA_UPDATED -> b.setMetadataUpdated(MetadataUpdated.newBuilder().setRaidSlot(-1));
      case RESYNCING -> b.setResyncing(Resyncing.newBuilder().setLow(-1L).setHigh(-1L));
      case NEWDISK -> b.setNewdisk(
          NewDisk.newBuilder().setUuid(ByteString.copyFrom(filled(16))).setRaidSlot(-1));
      case REMOVE -> b.setRemove(Remove.newBuilder().setRaidSlot(-1));
      case RE_ADD -> b.setReAdd(ReAdd.newBuilder().setRaidSlot(-1));
      case BITMAP_NEEDS_SYNC -> b.setBitmapNeedsSync(BitmapNeedsSync.getDefaultInstance());
      case CHANGE_CAPACITY -> b.setChangeCapacity(ChangeCapacity.getDefaultInstance());
      case BITMAP_RESIZE -> b.setBitmapResize(BitmapResize.newBuilder().setHigh(-1L));
      case RESYNCING_START -> b.setResyncingStart(ResyncingStart.getDefaultInstance());
      default -> throw new AssertionError("no largest value for " + c);
    }
    return b.build();
  }

  @ParameterizedTest
  @EnumSource(value = ClusterMessage.BodyCase.class, names = "BODY_NOT_SET", mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("the largest encoding of each message type fits the 63 bytes after the LVB length byte")
  void largestFits(ClusterMessage.BodyCase c) {
    int size = largest(c).getSerializedSize();
    assertTrue(
        size <= LvbCodec.PAYLOAD_MAX,
        c + " can take " + size + " bytes; the LVB has " + LvbCodec.PAYLOAD_MAX + " after its length byte");
  }

  @Test
  @DisplayName("the largest values the Java types allow encode and decode")
  void largestJavaValuesRoundTrip() {
    MdSlot slot = MdSlot.of(MdSlot.MAX_SLOTS - 1);
    Uuid16 ones = Uuid16.of(filled(16));
    List<Message> max =
        List.of(
            new Message.MetadataUpdated(Integer.MAX_VALUE),
            new Message.Resyncing(Long.MAX_VALUE - 1, Long.MAX_VALUE),
            new Message.NewDisk(ones, Integer.MAX_VALUE),
            new Message.Remove(Integer.MAX_VALUE),
            new Message.ReAdd(Integer.MAX_VALUE),
            new Message.BitmapResize(Long.MAX_VALUE));
    for (Message m : max) {
      Envelope e = new Envelope(Long.MAX_VALUE, slot, m);
      assertEquals(e, LvbCodec.decode(LvbCodec.encode(e)));
    }
  }

  @Test
  @DisplayName("a receipt survives encode/decode; an all-zero LVB is no receipt")
  void receipts() {
    Receipt r = new Receipt(MdSlot.of(3), 1234, true);
    assertEquals(r, LvbCodec.decodeReceipt(LvbCodec.encode(r)));
    assertNull(LvbCodec.decodeReceipt(new byte[64]));
    Receipt max = new Receipt(MdSlot.of(MdSlot.MAX_SLOTS - 1), Long.MAX_VALUE, true);
    assertEquals(max, LvbCodec.decodeReceipt(LvbCodec.encode(max)));
  }

  // -----------------------------------------------------------------------------------------------
  // Refusals: input LVB -> the words the error must contain
  // -----------------------------------------------------------------------------------------------

  static Stream<Arguments> malformed() {
    byte[] good = LvbCodec.encode(new Envelope(7, MdSlot.of(1), new Message.Remove(2)));
    byte[] trailing = good.clone();
    trailing[60] = 0x5a;
    byte[] tooLong = good.clone();
    tooLong[0] = (byte) 200;
    byte[] garbage = new byte[64];
    garbage[0] = 4;
    garbage[1] = (byte) 0xff;
    garbage[2] = (byte) 0xff;
    garbage[3] = (byte) 0xff;
    garbage[4] = (byte) 0xff;
    ClusterMessage unknownType =
        ClusterMessage.newBuilder()
            .setSeq(9)
            .setSlot(2)
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(
                        25,
                        UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(ByteString.copyFrom(new byte[] {8, 1}))
                            .build())
                    .build())
            .build();
    ClusterMessage noType = ClusterMessage.newBuilder().setSeq(9).setSlot(2).build();
    ClusterMessage shortUuid =
        ClusterMessage.newBuilder()
            .setSeq(9)
            .setSlot(2)
            .setNewdisk(NewDisk.newBuilder().setUuid(ByteString.copyFrom(new byte[5])).setRaidSlot(1))
            .build();
    ClusterMessage hugeSector =
        ClusterMessage.newBuilder()
            .setSeq(9)
            .setSlot(2)
            .setResyncing(Resyncing.newBuilder().setLow(0).setHigh(-1L))
            .build();
    ClusterMessage emptyWindow =
        ClusterMessage.newBuilder()
            .setSeq(9)
            .setSlot(2)
            .setResyncing(Resyncing.newBuilder().setLow(100).setHigh(100))
            .build();
    ClusterMessage seqZero =
        ClusterMessage.newBuilder().setSlot(2).setChangeCapacity(ChangeCapacity.getDefaultInstance()).build();
    ClusterMessage badSlot =
        ClusterMessage.newBuilder()
            .setSeq(3)
            .setSlot(-1)
            .setChangeCapacity(ChangeCapacity.getDefaultInstance())
            .build();
    ClusterMessage badRaidSlot =
        ClusterMessage.newBuilder()
            .setSeq(3)
            .setSlot(1)
            .setRemove(Remove.newBuilder().setRaidSlot(-7))
            .build();
    return Stream.of(
        Arguments.of("32-byte LVB", new byte[32], "32 bytes; expected 64"),
        Arguments.of("all zero", new byte[64], "holds nothing"),
        Arguments.of("length byte past the end", tooLong, "length byte 200 exceeds the 63 bytes"),
        Arguments.of("bytes after the message", trailing, "non-zero byte 0x5a at offset 60"),
        Arguments.of("not a protobuf", garbage, "not a ClusterMessage protobuf"),
        Arguments.of("unknown type", framed(unknownType), "unknown message type 9 (protobuf field 25)"),
        Arguments.of("no type", framed(noType), "carries no message type"),
        Arguments.of("short uuid", framed(shortUuid), "5-byte device uuid; expected 16"),
        Arguments.of("sector past 2^63", framed(hugeSector), "invalid window low=0 high=18446744073709551615"),
        Arguments.of("empty window", framed(emptyWindow), "invalid window low=100 high=100"),
        Arguments.of("seq 0", framed(seqZero), "seq 0 is out of range"),
        Arguments.of("slot out of range", framed(badSlot), "sender slot 4294967295 is out of range"),
        Arguments.of("raid_slot out of range", framed(badRaidSlot), "raid_slot 4294967289"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  @DisplayName("a malformed message LVB is refused with an error naming what was wrong")
  void refusesMalformed(String what, byte[] lvb, String expected) {
    MalformedLvbException e = assertThrows(MalformedLvbException.class, () -> LvbCodec.decode(lvb));
    assertTrue(e.getMessage().contains(expected), what + ": '" + e.getMessage() + "' lacks '" + expected + "'");
  }

  @Test
  @DisplayName("an unknown type still yields its seq, so the next sender numbers after it")
  void peekSeqOfUnknownType() {
    ClusterMessage unknown =
        ClusterMessage.newBuilder()
            .setSeq(77)
            .setSlot(2)
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(30, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build())
            .build();
    assertEquals(77, LvbCodec.peekSeq(framed(unknown)).getAsLong());
    assertTrue(LvbCodec.peekSeq(new byte[64]).isEmpty());
  }

  @Test
  @DisplayName("the encoded LVB is the length byte, the protobuf, then zeros")
  void layout() {
    Envelope e = new Envelope(1, MdSlot.of(0), new Message.ChangeCapacity());
    byte[] proto = LvbCodec.toProto(e).toByteArray();
    byte[] lvb = LvbCodec.encode(e);
    assertEquals(proto.length, lvb[0]);
    assertArrayEquals(proto, Arrays.copyOfRange(lvb, 1, 1 + proto.length));
    assertTrue(LvbCodec.isEmpty(Arrays.copyOfRange(lvb, 1 + proto.length, 64)));
  }

  @Test
  @DisplayName("message constructors refuse values the kernel could not mean")
  void constructorsRefuse() {
    assertThrows(IllegalArgumentException.class, () -> new Message.Resyncing(10, 5));
    assertThrows(IllegalArgumentException.class, () -> new Message.Resyncing(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Message.Remove(-1));
    assertThrows(IllegalArgumentException.class, () -> new Envelope(0, MdSlot.of(0), new Message.ChangeCapacity()));
    assertThrows(IllegalStateException.class, () -> Message.Resyncing.finished().window());
  }

  private static byte[] framed(ClusterMessage m) {
    byte[] p = m.toByteArray();
    byte[] lvb = new byte[64];
    lvb[0] = (byte) p.length;
    System.arraycopy(p, 0, lvb, 1, p.length);
    return lvb;
  }

  private static byte[] filled(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 0xff);
    return b;
  }
}
