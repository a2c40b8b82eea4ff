package io.clustermd.sim.messaging;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.LvbFormat;
import io.clustermd.messaging.message.MalformedLvbException;
import io.clustermd.messaging.message.Message;
import io.clustermd.messaging.message.MessageType;
import io.clustermd.messaging.message.Receipt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;

/**
 * The simulator's LVB format: no protobuf (DESIGN.md §3), the kernel's {@code struct cluster_msg} layout
 * (mdcluster.md §3.1) for the body, then the envelope's seq and the scenario's message id in the 16 bytes
 * the kernel leaves unused. Little-endian.
 *
 * <pre>
 * offset | size | field
 *      0 |    4 | type (kernel number)
 *      4 |    4 | slot (sender's md slot)
 *      8 |    8 | low  (RESYNCING)
 *     16 |    8 | high (RESYNCING, BITMAP_RESIZE)
 *     24 |   16 | uuid (NEWDISK)
 *     40 |    4 | raid_slot (METADATA_UPDATED, NEWDISK, REMOVE, RE_ADD)
 *     48 |    8 | seq (0: no message)
 *     56 |    8 | id  (the model's message id; not protocol)
 * </pre>
 *
 * A receipt: byte 0 is {@code 'R'}, then slot (4 at offset 4), lastProcessed (8 at 8), ready (1 at 16); an
 * all-zero LVB is no receipt. Decoding returns the very {@link Message} object the workload made, found by
 * its id, after checking that the body read equals it, so the checkers can tell messages apart even when
 * their bodies are equal.
 */
final class SimLvbFormat implements LvbFormat {

    static final int LVB_BYTES = 64;
    private static final int TYPE = 0;
    private static final int SLOT = 4;
    private static final int LOW = 8;
    private static final int HIGH = 16;
    private static final int UUID = 24;
    private static final int RAID_SLOT = 40;
    private static final int SEQ = 48;
    private static final int ID = 56;
    private static final byte RECEIPT_MARK = 'R';

    /** Where message ids come from and go to: the run's model. */
    interface Registry {
        /** The id of a message the workload made; throws if it made no such object. */
        long idOf(Message message);

        /** The message with that id, or null. */
        Message byId(long id);
    }

    private final Registry registry;

    SimLvbFormat(Registry registry) {
        this.registry = registry;
    }

    @Override
    public byte[] encode(Envelope envelope) {
        ByteBuffer b = buffer(new byte[LVB_BYTES]);
        Message m = envelope.message();
        b.putInt(TYPE, m.type().kernelNumber());
        b.putInt(SLOT, envelope.sender().value());
        if (m instanceof Message.MetadataUpdated x) {
            b.putInt(RAID_SLOT, x.raidSlot());
        } else if (m instanceof Message.Resyncing x) {
            b.putLong(LOW, x.lo());
            b.putLong(HIGH, x.hi());
        } else if (m instanceof Message.NewDisk x) {
            b.put(UUID, x.deviceUuid().toBytes());
            b.putInt(RAID_SLOT, x.raidSlot());
        } else if (m instanceof Message.Remove x) {
            b.putInt(RAID_SLOT, x.raidSlot());
        } else if (m instanceof Message.ReAdd x) {
            b.putInt(RAID_SLOT, x.raidSlot());
        } else if (m instanceof Message.BitmapResize x) {
            b.putLong(HIGH, x.sectors());
        }
        b.putLong(SEQ, envelope.seq());
        b.putLong(ID, registry.idOf(m));
        return b.array();
    }

    @Override
    public Envelope decode(byte[] lvb) {
        ByteBuffer b = checked(lvb, "message");
        long seq = b.getLong(SEQ);
        if (seq < 1) {
            throw new MalformedLvbException("message LVB holds no message (seq " + seq + ")");
        }
        int slot = b.getInt(SLOT);
        if (slot < 0) {
            throw new MalformedLvbException("message LVB sender slot " + slot + " is negative");
        }
        Message body = body(b);
        long id = b.getLong(ID);
        Message original = registry.byId(id);
        if (original == null || !original.equals(body)) {
            throw new IllegalStateException("message LVB #" + seq + " names m" + id + " = " + original
                    + " but holds " + body);
        }
        return new Envelope(seq, MdSlot.of(slot), original);
    }

    private static Message body(ByteBuffer b) {
        int type = b.getInt(TYPE);
        int raidSlot = b.getInt(RAID_SLOT);
        for (MessageType t : MessageType.values()) {
            if (t.kernelNumber() != type) {
                continue;
            }
            byte[] uuid = new byte[Uuid16.BYTES];
            b.get(UUID, uuid);
            return switch (t) {
                case METADATA_UPDATED -> new Message.MetadataUpdated(raidSlot);
                case RESYNCING -> new Message.Resyncing(b.getLong(LOW), b.getLong(HIGH));
                case NEWDISK -> new Message.NewDisk(Uuid16.of(uuid), raidSlot);
                case REMOVE -> new Message.Remove(raidSlot);
                case RE_ADD -> new Message.ReAdd(raidSlot);
                case BITMAP_NEEDS_SYNC -> new Message.BitmapNeedsSync();
                case CHANGE_CAPACITY -> new Message.ChangeCapacity();
                case BITMAP_RESIZE -> new Message.BitmapResize(b.getLong(HIGH));
                case RESYNCING_START -> new Message.ResyncingStart();
            };
        }
        throw new MalformedLvbException("message LVB has unknown type " + type);
    }

    @Override
    public OptionalLong peekSeq(byte[] lvb) {
        if (lvb == null || lvb.length != LVB_BYTES) {
            return OptionalLong.empty();
        }
        long seq = buffer(lvb).getLong(SEQ);
        return seq >= 1 ? OptionalLong.of(seq) : OptionalLong.empty();
    }

    @Override
    public byte[] encode(Receipt receipt) {
        ByteBuffer b = buffer(new byte[LVB_BYTES]);
        b.put(0, RECEIPT_MARK);
        b.putInt(4, receipt.slot().value());
        b.putLong(8, receipt.lastProcessed());
        b.put(16, (byte) (receipt.ready() ? 1 : 0));
        return b.array();
    }

    @Override
    public Receipt decodeReceipt(byte[] lvb) {
        ByteBuffer b = checked(lvb, "receipt");
        if (isZero(lvb)) {
            return null;
        }
        if (b.get(0) != RECEIPT_MARK) {
            throw new MalformedLvbException("receipt LVB starts with 0x" + Integer.toHexString(b.get(0) & 0xff));
        }
        long last = b.getLong(8);
        if (last < 0 || b.getInt(4) < 0) {
            throw new MalformedLvbException("receipt LVB has a negative field");
        }
        return new Receipt(MdSlot.of(b.getInt(4)), last, b.get(16) == 1);
    }

    private static ByteBuffer checked(byte[] lvb, String what) {
        if (lvb == null) {
            throw new MalformedLvbException(what + " LVB is missing (the lock has no LVB)");
        }
        if (lvb.length != LVB_BYTES) {
            throw new MalformedLvbException(what + " LVB is " + lvb.length + " bytes; expected " + LVB_BYTES);
        }
        return buffer(lvb);
    }

    private static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static boolean isZero(byte[] lvb) {
        for (byte x : lvb) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "sim LVB format (cluster_msg layout + seq + id)";
    }
}
