package io.clustermd.bitmap.intent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.clustermd.bitmap.device.SimulatedBlockDevice;
import io.clustermd.bitmap.format.ChunkIndex;
import io.clustermd.bitmap.format.Fixtures;
import io.clustermd.bitmap.format.InitialSync;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.bitmap.store.LoadedMember;
import io.clustermd.bitmap.store.MemberStore;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ScheduledBitmapDaemonTest {

  @Test
  @DisplayName("the scheduler shell clears an idle chunk's bit on its own within two periods, not while a write is in flight")
  void clearsInRealTime() {
    SimulatedBlockDevice dev = new SimulatedBlockDevice("sim", 64L << 20);
    LoadedMember m =
        MemberStore.create(
            dev, Fixtures.options().withInitialSync(InitialSync.ASSUME_CLEAN).withBitmapChunkBytes(1 << 20));
    Duration period = Duration.ofMillis(100);
    WriteIntentBitmap bm =
        WriteIntentBitmap.open(dev, m, MdSlot.of(0), new IntentOptions(period, -1), System.nanoTime());
    SectorRange r = SectorRange.ofLength(0, 8);
    try (ScheduledBitmapDaemon d = ScheduledBitmapDaemon.start(bm, period)) {
      assertEquals(1, d.startWrite(r));
      await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2))
          .until(() -> d.withBitmap(b -> b.isDirtyOnDisk(ChunkIndex.of(0))));
      d.endWrite(r, WriteOutcome.SUCCEEDED);
      await().atMost(Duration.ofSeconds(5))
          .until(() -> d.withBitmap(b -> b.isClean(ChunkIndex.of(0)) && !b.isDirtyOnDisk(ChunkIndex.of(0))));
      d.withBitmap(b -> { b.checkInvariants(); return null; });
    }
    assertFalse(bm.isDirtyOnDisk(ChunkIndex.of(0)));
  }
}
