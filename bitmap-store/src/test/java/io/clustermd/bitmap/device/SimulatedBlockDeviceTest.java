package io.clustermd.bitmap.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SimulatedBlockDeviceTest {

  private static byte[] filled(int len, int v) {
    byte[] b = new byte[len];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }

  @Test
  @DisplayName("sparse: a 16 TiB device reads zeros and stores only what was written")
  void sparse() {
    SimulatedBlockDevice d = new SimulatedBlockDevice("big", 16L << 40);
    d.write((16L << 40) - 512, filled(512, 9));
    assertArrayEquals(filled(512, 9), d.read((16L << 40) - 512, 512));
    assertArrayEquals(new byte[100], d.read(1L << 40, 100));
  }

  @Test
  @DisplayName("crash DROP_ALL loses unflushed writes, keeps flushed ones")
  void dropAll() {
    SimulatedBlockDevice d = new SimulatedBlockDevice("d", 1 << 20);
    d.write(0, filled(512, 1));
    d.flush();
    d.write(0, filled(512, 2));
    d.write(4096, filled(512, 3));
    assertEquals(2, d.unflushedWrites());
    d.crash(new SplittableRandom(1), SimulatedBlockDevice.CrashMode.DROP_ALL);
    assertArrayEquals(filled(512, 1), d.read(0, 512));
    assertArrayEquals(new byte[512], d.read(4096, 512));
  }

  @Test
  @DisplayName("crash KEEP_ALL keeps every unflushed write")
  void keepAll() {
    SimulatedBlockDevice d = new SimulatedBlockDevice("d", 1 << 20);
    d.write(0, filled(1024, 2));
    d.crash(new SplittableRandom(1), SimulatedBlockDevice.CrashMode.KEEP_ALL);
    assertArrayEquals(filled(1024, 2), d.read(0, 1024));
  }

  @Test
  @DisplayName("crash tears multi-sector writes at sector boundaries, never inside a sector (many seeds)")
  void tearsAtSectorBoundaries() {
    boolean sawMixed = false;
    for (long seed = 0; seed < 200; seed++) {
      SimulatedBlockDevice d = new SimulatedBlockDevice("d", 1 << 20);
      d.write(0, filled(4096, 1));
      d.flush();
      d.write(0, filled(4096, 2));
      d.crash(new SplittableRandom(seed), SimulatedBlockDevice.CrashMode.DROP_KEEP_OR_TEAR);
      byte[] after = d.read(0, 4096);
      int news = 0;
      for (int s = 0; s < 8; s++) {
        byte first = after[s * 512];
        for (int i = 1; i < 512; i++) {
          assertEquals(first, after[s * 512 + i], "seed " + seed + " sector " + s + " is torn inside");
        }
        news += first == 2 ? 1 : 0;
      }
      sawMixed |= news > 0 && news < 8;
    }
    assertTrue(sawMixed, "some seed must leave a write half-applied");
  }

  @Test
  @DisplayName("crashAfterWrites: the n+1-th write and all later I/O throw until the crash restarts it")
  void crashAfterWrites() {
    SimulatedBlockDevice d = new SimulatedBlockDevice("d", 1 << 20);
    d.crashAfterWrites(1);
    d.write(0, filled(512, 1));
    assertThrows(SimulatedCrashException.class, () -> d.write(512, filled(512, 1)));
    assertTrue(d.isDead());
    assertThrows(SimulatedCrashException.class, () -> d.read(0, 512));
    assertThrows(SimulatedCrashException.class, d::flush);
    d.crash(new SplittableRandom(0), SimulatedBlockDevice.CrashMode.DROP_ALL);
    assertArrayEquals(new byte[512], d.read(0, 512));
  }

  @Test
  @DisplayName("injected failures: a failing write names device and offset; a torn write keeps its prefix")
  void injected() {
    SimulatedBlockDevice d = new SimulatedBlockDevice("sim7", 1 << 20);
    d.failWritesAfter(1);
    d.write(0, filled(512, 1));
    DeviceIOException e = assertThrows(DeviceIOException.class, () -> d.write(4096, filled(512, 1)));
    assertTrue(e.getMessage().startsWith("sim7: write of 512 bytes at offset 4096"), e.getMessage());
    d.write(8192, filled(512, 4)); // the fault fired once
    d.tearNextWriteAfterSectors(1);
    assertThrows(DeviceIOException.class, () -> d.write(16384, filled(1024, 5)));
    assertArrayEquals(filled(512, 5), d.read(16384, 512));
    assertArrayEquals(new byte[512], d.read(16896, 512));
  }

  @Test
  @DisplayName("slow writes call the sleeper for each write")
  void slow() {
    SimulatedBlockDevice d = new SimulatedBlockDevice("d", 1 << 20);
    AtomicLong slept = new AtomicLong();
    d.setWriteDelay(1_000_000, slept::addAndGet);
    d.write(0, new byte[512]);
    d.write(512, new byte[512]);
    assertEquals(2_000_000, slept.get());
  }
}
