package io.clustermd.messaging.message;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.clustermd.bitmap.format.MdSlot;
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
import java.util.OptionalLong;

/**
 * Encodes {@link Envelope}s and {@link Receipt}s into 64-byte LVBs and back (mdcluster.proto).
 *
 * <pre>
 * offset | size  | field
 * 0      | 1     | n: length of the protobuf encoding, 1..63 (0 = the LVB holds nothing)
 * 1      | n     | ClusterMessage (or Receipt) protobuf
 * 1+n    | 63-n  | zero
 * </pre>
 *
 * Decoding refuses, with a {@link MalformedLvbException} that says what was wrong: an LVB of the
 * wrong length, an empty one, a length byte past the end, non-zero bytes after the message, bytes
 * that are not a protobuf, an unknown type (a newer node's message, refused as the kernel refuses
 * an unknown {@code cmsg.type}), or a field out of range.
 */
public final class LvbCodec {

  /** The {@code message} lockspace's LVB length (mdcluster.md §1: LVB length 64). */
  public static final int LVB_BYTES = 64;

  /** Room for the protobuf after the length byte. */
  public static final int PAYLOAD_MAX = LVB_BYTES - 1;

  /** The production format: length byte, ClusterMessage or Receipt protobuf, zeros. */
  public static final LvbFormat PROTOBUF =
      new LvbFormat() {
        @Override
        public byte[] encode(Envelope envelope) {
          return LvbCodec.encode(envelope);
        }

        @Override
        public Envelope decode(byte[] lvb) {
          return LvbCodec.decode(lvb);
        }

        @Override
        public OptionalLong peekSeq(byte[] lvb) {
          return LvbCodec.peekSeq(lvb);
        }

        @Override
        public byte[] encode(Receipt receipt) {
          return LvbCodec.encode(receipt);
        }

        @Override
        public Receipt decodeReceipt(byte[] lvb) {
          return LvbCodec.decodeReceipt(lvb);
        }

        @Override
        public String toString() {
          return "protobuf LVB format (mdcluster.proto)";
        }
      };

  private LvbCodec() {}

  // ---------------------------------------------------------------------------------------------
  // Messages
  // ---------------------------------------------------------------------------------------------

  public static byte[] encode(Envelope envelope) {
    return frame(toProto(envelope).toByteArray(), envelope.describe());
  }

  /**
   * @throws MalformedLvbException naming what was wrong
   */
  public static Envelope decode(byte[] lvb) {
    byte[] payload = unframe(lvb, "message");
    ClusterMessage m;
    try {
      m = ClusterMessage.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedLvbException("message LVB is not a ClusterMessage protobuf: " + e.getMessage(), e);
    }
    long seq = m.getSeq();
    if (seq < 1) {
      throw new MalformedLvbException("message seq " + Long.toUnsignedString(seq) + " is out of range [1, 2^63)");
    }
    MdSlot sender = slot(m.getSlot(), "sender slot");
    return new Envelope(seq, sender, body(m, sender, seq));
  }

  /**
   * The seq of the message in {@code lvb}, when it can be read even if the body cannot (an unknown
   * type still carries its seq); empty for an empty or unreadable LVB. The sender uses it to number
   * the next message.
   */
  public static OptionalLong peekSeq(byte[] lvb) {
    try {
      ClusterMessage m = ClusterMessage.parseFrom(unframe(lvb, "message"));
      return m.getSeq() >= 1 ? OptionalLong.of(m.getSeq()) : OptionalLong.empty();
    } catch (MalformedLvbException | InvalidProtocolBufferException e) {
      return OptionalLong.empty();
    }
  }

  /** True when every byte is zero: no message was ever written (or the LVB was reset). */
  public static boolean isEmpty(byte[] lvb) {
    for (byte b : lvb) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  static ClusterMessage toProto(Envelope e) {
    ClusterMessage.Builder b = ClusterMessage.newBuilder().setSeq(e.seq()).setSlot(e.sender().value());
    Message msg = e.message();
    if (msg instanceof Message.MetadataUpdated x) {
      b.setMetadataUpdated(MetadataUpdated.newBuilder().setRaidSlot(x.raidSlot()));
    } else if (msg instanceof Message.Resyncing x) {
      b.setResyncing(Resyncing.newBuilder().setLow(x.lo()).setHigh(x.hi()));
    } else if (msg instanceof Message.NewDisk x) {
      b.setNewdisk(
          NewDisk.newBuilder()
              .setUuid(ByteString.copyFrom(x.deviceUuid().toBytes()))
              .setRaidSlot(x.raidSlot()));
    } else if (msg instanceof Message.Remove x) {
      b.setRemove(Remove.newBuilder().setRaidSlot(x.raidSlot()));
    } else if (msg instanceof Message.ReAdd x) {
      b.setReAdd(ReAdd.newBuilder().setRaidSlot(x.raidSlot()));
    } else if (msg instanceof Message.BitmapNeedsSync) {
      b.setBitmapNeedsSync(BitmapNeedsSync.getDefaultInstance());
    } else if (msg instanceof Message.ChangeCapacity) {
      b.setChangeCapacity(ChangeCapacity.getDefaultInstance());
    } else if (msg instanceof Message.BitmapResize x) {
      b.setBitmapResize(BitmapResize.newBuilder().setHigh(x.sectors()));
    } else if (msg instanceof Message.ResyncingStart) {
      b.setResyncingStart(ResyncingStart.getDefaultInstance());
    } else {
      throw new IllegalArgumentException("no encoding for " + msg);
    }
    return b.build();
  }

  private static Message body(ClusterMessage m, MdSlot sender, long seq) {
    String what = "message #" + seq + " from " + sender;
    switch (m.getBodyCase()) {
      case METADATA_UPDATED:
        return new Message.MetadataUpdated(desc(m.getMetadataUpdated().getRaidSlot(), what));
      case RESYNCING:
        {
          long lo = m.getResyncing().getLow();
          long hi = m.getResyncing().getHigh();
          if (lo < 0 || hi < 0 || (hi != 0 && hi <= lo)) {
            throw new MalformedLvbException(
                "RESYNCING " + what + " has an invalid window low=" + Long.toUnsignedString(lo)
                    + " high=" + Long.toUnsignedString(hi));
          }
          return new Message.Resyncing(lo, hi);
        }
      case NEWDISK:
        {
          ByteString uuid = m.getNewdisk().getUuid();
          if (uuid.size() != Uuid16.BYTES) {
            throw new MalformedLvbException(
                "NEWDISK " + what + " has a " + uuid.size() + "-byte device uuid; expected " + Uuid16.BYTES);
          }
          return new Message.NewDisk(Uuid16.of(uuid.toByteArray()), desc(m.getNewdisk().getRaidSlot(), what));
        }
      case REMOVE:
        return new Message.Remove(desc(m.getRemove().getRaidSlot(), what));
      case RE_ADD:
        return new Message.ReAdd(desc(m.getReAdd().getRaidSlot(), what));
      case BITMAP_NEEDS_SYNC:
        return new Message.BitmapNeedsSync();
      case CHANGE_CAPACITY:
        return new Message.ChangeCapacity();
      case BITMAP_RESIZE:
        {
          long high = m.getBitmapResize().getHigh();
          if (high < 0) {
            throw new MalformedLvbException(
                "BITMAP_RESIZE " + what + " size " + Long.toUnsignedString(high) + " is out of range");
          }
          return new Message.BitmapResize(high);
        }
      case RESYNCING_START:
        return new Message.ResyncingStart();
      case BODY_NOT_SET:
      default:
        if (!m.getUnknownFields().asMap().isEmpty()) {
          int field = m.getUnknownFields().asMap().keySet().iterator().next();
          int kernelType = field - MessageType.FIELD_NUMBER_BASE;
          throw new MalformedLvbException(
              "unknown message type " + kernelType + " (protobuf field " + field + ") in " + what
                  + ": this node knows types 0.." + (MessageType.values().length - 1)
                  + " (a newer node?)");
        }
        throw new MalformedLvbException(what + " carries no message type");
    }
  }

  private static int desc(int raidSlot, String what) {
    if (raidSlot < 0) {
      throw new MalformedLvbException(
          "raid_slot " + Integer.toUnsignedString(raidSlot) + " in " + what + " is out of range");
    }
    return raidSlot;
  }

  private static MdSlot slot(int value, String what) {
    if (value < 0 || value >= MdSlot.MAX_SLOTS) {
      throw new MalformedLvbException(
          what + " " + Integer.toUnsignedString(value) + " is out of range [0, " + MdSlot.MAX_SLOTS + ")");
    }
    return MdSlot.of(value);
  }

  // ---------------------------------------------------------------------------------------------
  // Receipts
  // ---------------------------------------------------------------------------------------------

  public static byte[] encode(Receipt receipt) {
    io.clustermd.proto.mdcluster.Receipt p =
        io.clustermd.proto.mdcluster.Receipt.newBuilder()
            .setSlot(receipt.slot().value())
            .setLastProcessed(receipt.lastProcessed())
            .setReady(receipt.ready())
            .build();
    return frame(p.toByteArray(), "receipt of " + receipt.slot());
  }

  /**
   * @return the receipt, or null when the LVB is all zero (nobody published one: the slot is not
   *     a member)
   * @throws MalformedLvbException naming what was wrong
   */
  public static Receipt decodeReceipt(byte[] lvb) {
    if (lvb.length == LVB_BYTES && isEmpty(lvb)) {
      return null;
    }
    byte[] payload = unframe(lvb, "receipt");
    io.clustermd.proto.mdcluster.Receipt p;
    try {
      p = io.clustermd.proto.mdcluster.Receipt.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedLvbException("receipt LVB is not a Receipt protobuf: " + e.getMessage(), e);
    }
    if (!p.hasSlot()) {
      throw new MalformedLvbException("receipt LVB names no slot");
    }
    if (p.getLastProcessed() < 0) {
      throw new MalformedLvbException(
          "receipt last_processed " + Long.toUnsignedString(p.getLastProcessed()) + " is out of range");
    }
    return new Receipt(slot(p.getSlot(), "receipt slot"), p.getLastProcessed(), p.getReady());
  }

  // ---------------------------------------------------------------------------------------------
  // Framing
  // ---------------------------------------------------------------------------------------------

  private static byte[] frame(byte[] payload, String what) {
    if (payload.length == 0 || payload.length > PAYLOAD_MAX) {
      throw new IllegalArgumentException(
          what + " encodes to " + payload.length + " bytes; an LVB holds 1.." + PAYLOAD_MAX);
    }
    byte[] lvb = new byte[LVB_BYTES];
    lvb[0] = (byte) payload.length;
    System.arraycopy(payload, 0, lvb, 1, payload.length);
    return lvb;
  }

  private static byte[] unframe(byte[] lvb, String what) {
    if (lvb == null) {
      throw new MalformedLvbException(what + " LVB is missing (the lock has no LVB)");
    }
    if (lvb.length != LVB_BYTES) {
      throw new MalformedLvbException(what + " LVB is " + lvb.length + " bytes; expected " + LVB_BYTES);
    }
    int n = lvb[0] & 0xff;
    if (n == 0) {
      throw new MalformedLvbException(what + " LVB holds nothing (length byte 0)");
    }
    if (n > PAYLOAD_MAX) {
      throw new MalformedLvbException(
          what + " LVB length byte " + n + " exceeds the " + PAYLOAD_MAX + " bytes after it");
    }
    for (int i = 1 + n; i < LVB_BYTES; i++) {
      if (lvb[i] != 0) {
        throw new MalformedLvbException(
            what + " LVB has non-zero byte 0x" + Integer.toHexString(lvb[i] & 0xff) + " at offset " + i
                + ", after its " + n + "-byte message");
      }
    }
    byte[] payload = new byte[n];
    System.arraycopy(lvb, 1, payload, 0, n);
    return payload;
  }
}
