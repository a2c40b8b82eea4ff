package io.clustermd.sim.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.MalformedLvbException;
import io.clustermd.messaging.message.MessageType;
import io.clustermd.messaging.message.Receipt;
import java.util.EnumSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SimLvbFormatTest {

    @Test
    @DisplayName("every message type round-trips through the sim's cluster_msg layout, as the very object sent")
    void everyTypeRoundTrips() {
        MessagingModel model = new MessagingModel(new MessagingScenario.Coverage());
        SimLvbFormat format = model.format();
        SplittableRandom random = new SplittableRandom(7);
        EnumSet<MessageType> seen = EnumSet.noneOf(MessageType.class);
        for (int kind = 0; kind < 9; kind++) {
            MessagingModel.SendRecord r = model.newMessage(random, kind);
            Envelope e = new Envelope(40 + kind, MdSlot.of(kind), r.message);
            byte[] lvb = format.encode(e);
            assertEquals(SimLvbFormat.LVB_BYTES, lvb.length);
            Envelope back = format.decode(lvb);
            assertEquals(e, back);
            assertSame(r.message, back.message());
            assertEquals(40 + kind, format.peekSeq(lvb).getAsLong());
            seen.add(r.message.type());
        }
        assertEquals(EnumSet.allOf(MessageType.class), seen);
    }

    @Test
    @DisplayName("an empty LVB holds no message and no receipt; an unknown type is refused naming it")
    void emptyAndUnknown() {
        SimLvbFormat format = new MessagingModel(new MessagingScenario.Coverage()).format();
        byte[] empty = new byte[SimLvbFormat.LVB_BYTES];
        assertThrows(MalformedLvbException.class, () -> format.decode(empty));
        assertTrue(format.peekSeq(empty).isEmpty());
        assertNull(format.decodeReceipt(empty));
        byte[] unknown = new byte[SimLvbFormat.LVB_BYTES];
        unknown[0] = 42;
        unknown[48] = 3;
        MalformedLvbException e = assertThrows(MalformedLvbException.class, () -> format.decode(unknown));
        assertTrue(e.getMessage().contains("unknown type 42"), e.getMessage());
        assertEquals(3, format.peekSeq(unknown).getAsLong());
    }

    @Test
    @DisplayName("receipts round-trip")
    void receipts() {
        SimLvbFormat format = new MessagingModel(new MessagingScenario.Coverage()).format();
        Receipt r = new Receipt(MdSlot.of(5), 123, true);
        assertEquals(r, format.decodeReceipt(format.encode(r)));
        Receipt joined = new Receipt(MdSlot.of(0), 0, false);
        assertEquals(joined, format.decodeReceipt(format.encode(joined)));
    }
}
