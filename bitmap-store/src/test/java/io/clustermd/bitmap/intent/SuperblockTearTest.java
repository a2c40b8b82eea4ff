package io.clustermd.bitmap.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.device.SimulatedBlockDevice;
import io.clustermd.bitmap.device.SimulatedCrashException;
import io.clustermd.bitmap.format.DevRoles;
import io.clustermd.bitmap.format.Fixtures;
import io.clustermd.bitmap.format.MdSuperblock;
import io.clustermd.bitmap.format.MetadataException;
import io.clustermd.bitmap.store.MemberStore;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A superblock spanning three sectors (max_dev 640) is updated and power is lost before the
 * flush; each sector of the write survives or not. The next load returns exactly the old or the
 * new superblock, or refuses it naming sb_csum: a torn superblock is never trusted.
 */
class SuperblockTearTest {

  @Test
  @DisplayName("a torn multi-sector superblock update loads as old, new, or is refused by checksum (many seeds)")
  void tornSuperblock() {
    long seeds = Long.getLong("clustermd.crash.seeds", 300);
    int refused = 0;
    int oldSeen = 0;
    int newSeen = 0;
    for (long seed = 0; seed < seeds; seed++) {
      SplittableRandom rng = new SplittableRandom(seed);
      SimulatedBlockDevice dev = new SimulatedBlockDevice("tear-" + seed, 64L << 20);
      MdSuperblock old = MemberStore.create(dev, Fixtures.options().withDisks(2, 400, 0)).superblock();
      assertEquals(640, old.maxDev());
      dev.crashAtFlush(0);
      long events = 1 + rng.nextInt(1000);
      try {
        MemberStore.updateSuperblock(
            dev,
            s -> s.toBuilder().events(events).devRoles(s.devRoles().with(639, DevRoles.FAULTY)).build());
      } catch (SimulatedCrashException expected) {
        // Power was lost at the flush.
      }
      dev.crash(rng, SimulatedBlockDevice.CrashMode.DROP_KEEP_OR_TEAR);
      try {
        MdSuperblock now = MemberStore.load(dev).superblock();
        boolean isOld = now.equals(old);
        boolean isNew = now.events() == events && now.devRoles().role(639) == DevRoles.FAULTY
            && now.equals(old.toBuilder().events(events).devRoles(old.devRoles().with(639, DevRoles.FAULTY)).build());
        assertTrue(isOld || isNew, "seed " + seed + ": a superblock that is neither old nor new was trusted");
        oldSeen += isOld ? 1 : 0;
        newSeen += isNew ? 1 : 0;
      } catch (MetadataException e) {
        assertEquals("sb_csum", e.field(), "seed " + seed + ": " + e.getMessage());
        refused++;
      }
    }
    assertTrue(refused > 0 && oldSeen > 0 && newSeen > 0,
        "seeds must cover torn (" + refused + "), old (" + oldSeen + ") and new (" + newSeen + ")");
  }
}
