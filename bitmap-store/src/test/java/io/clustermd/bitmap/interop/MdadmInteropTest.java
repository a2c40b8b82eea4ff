package io.clustermd.bitmap.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.device.FileBlockDevice;
import io.clustermd.bitmap.device.FileDeviceOptions;
import io.clustermd.bitmap.format.BitmapBits;
import io.clustermd.bitmap.format.BitmapSuperblockLayout;
import io.clustermd.bitmap.format.InitialSync;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.MemberCreateOptions;
import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.bitmap.store.LoadedMember;
import io.clustermd.bitmap.store.MemberStore;
import io.clustermd.bitmap.store.SlotImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Members written by clustermd are decoded by the real mdadm: {@code mdadm --examine} on the file
 * and {@code mdadm --examine-bitmap} on a read-only loop device over it (mdadm 4.2 treats a
 * regular file given to -X as an external bitmap file, perf.md §5.4).
 */
class MdadmInteropTest {

  private static final Uuid16 SET = Uuid16.parse("a1b2c3d4e5f60718293a4b5c6d7e8f90");
  private static final Uuid16 DEV = Uuid16.parse("0f1e2d3c4b5a69788796a5b4c3d2e1f0");

  @TempDir Path dir;

  @BeforeAll
  static void tools() {
    HostTools.requireMdadm();
  }

  static Path sparseFile(Path dir, String name, long bytes) throws IOException {
    Path f = dir.resolve(name);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(bytes);
    }
    return f;
  }

  /** Creates a member and sets {@code dirty[k]} chunks (0, 2, 4, ...) dirty in slot k >= 1. */
  static LoadedMember createMember(Path f, MemberCreateOptions o, int... dirty) {
    try (FileBlockDevice d = FileBlockDevice.open(f, FileDeviceOptions.READ_WRITE)) {
      LoadedMember m = MemberStore.create(d, o);
      for (int k = 1; k < dirty.length; k++) {
        SlotImage img = MemberStore.readSlot(d, m, MdSlot.of(k));
        byte[] area = img.area();
        for (int i = 0; i < dirty[k]; i++) {
          BitmapBits.set(area, BitmapSuperblockLayout.BYTES, 2L * i);
        }
        d.write(m.geometry().slotOffsetBytes(MdSlot.of(k)), area);
      }
      d.flush();
      return m;
    }
  }

  @Test
  @DisplayName("mdadm -E decodes a clustered member: magic, 1.2, 0x101, UUIDs, name, cluster, offsets, checksum correct, role")
  void examine() throws IOException {
    Path f = sparseFile(dir, "m0.img", 64L << 20);
    MemberCreateOptions o =
        MemberCreateOptions.defaults(SET, DEV, "tstmd", "mycluster", 1, 1_700_000_000L);
    createMember(f, o);

    HostTools.Result r = HostTools.run("mdadm", "--examine", f.toString());
    assertEquals(0, r.exitCode(), r.toString());
    Map<String, String> e = HostTools.sections(r.stdout()).get(0);
    assertEquals("a92b4efc", e.get("Magic"), r.stdout());
    assertEquals("1.2", e.get("Version"));
    assertEquals("0x101", e.get("Feature Map"));
    assertEquals("a1b2c3d4:e5f60718:293a4b5c:6d7e8f90", e.get("Array UUID"));
    assertEquals("0f1e2d3c:4b5a6978:8796a5b4:c3d2e1f0", e.get("Device UUID"));
    assertEquals("tstmd", e.get("Name"));
    assertEquals("mycluster", e.get("Cluster Name"));
    assertEquals("raid1", e.get("Raid Level"));
    assertEquals("2", e.get("Raid Devices"));
    assertEquals("2048 sectors", e.get("Data Offset"));
    assertEquals("8 sectors", e.get("Super Offset"));
    assertEquals("8 sectors from superblock", e.get("Internal Bitmap"));
    assertTrue(e.get("Checksum").endsWith(" - correct"), e.get("Checksum"));
    assertEquals("Active device 1", e.get("Device Role"));
    assertEquals("active", e.get("State"), "resync_offset 0 until the first resync");
    assertEquals("0", e.get("Events"));
    assertTrue(e.get("Array State").startsWith("AA "), e.get("Array State"));
  }

  @Test
  @DisplayName("mdadm -X on a loop device: version 5, cluster name, nodes, and each slot's dirty count")
  void examineBitmap() throws IOException {
    HostTools.requireLoopDevices();
    // 1 GiB member, 4 MiB chunks: about 250 chunks per slot, so counts are distinguishable.
    Path f = sparseFile(dir, "m1.img", 1L << 30);
    MemberCreateOptions o =
        MemberCreateOptions.defaults(SET, DEV, "big", "prodcluster", 0, 1_700_000_000L)
            .withNodes(3)
            .withBitmapChunkBytes(4 << 20);
    LoadedMember m = createMember(f, o, 0, 9, 17);
    long chunks = m.geometry().chunks();

    try (HostTools.Loop loop = HostTools.Loop.attachReadOnly(f)) {
      HostTools.Result r = HostTools.run("mdadm", "--examine-bitmap", loop.device());
      assertEquals(0, r.exitCode(), r.toString());
      List<Map<String, String>> s = HostTools.sections(r.stdout());
      Map<String, String> head = s.get(0);
      assertEquals("6d746962", head.get("Magic"), r.stdout());
      assertEquals("5", head.get("Version"));
      assertEquals("a1b2c3d4:e5f60718:293a4b5c:6d7e8f90", head.get("UUID"));
      assertEquals("4 MB", head.get("Chunksize"));
      assertEquals("5s flush period", head.get("Daemon"));
      assertEquals("3", head.get("Cluster nodes"));
      assertEquals("prodcluster", head.get("Cluster name"));
      assertEquals(4, s.size(), "three slots: " + r.stdout());
      long[] expected = {chunks, 9, 17};
      for (int k = 0; k < 3; k++) {
        Map<String, String> slot = s.get(k + 1);
        assertEquals(String.valueOf(k), slot.get("Node Slot"));
        assertEquals("OK", slot.get("State"));
        assertTrue(
            slot.get("Bitmap").startsWith(chunks + " bits (chunks), " + expected[k] + " dirty"),
            "slot " + k + ": " + slot.get("Bitmap"));
      }
    }
  }

  @Test
  @DisplayName("dirty chunks set by the write-intent bitmap (startWrite) are counted by mdadm -X per slot")
  void intentBitsSeenByMdadm() throws IOException {
    HostTools.requireLoopDevices();
    Path f = sparseFile(dir, "m4.img", 512L << 20);
    MemberCreateOptions o =
        MemberCreateOptions.defaults(SET, DEV, "wi", "mycluster", 0, 1_700_000_000L)
            .withInitialSync(InitialSync.ASSUME_CLEAN)
            .withBitmapChunkBytes(1 << 20);
    LoadedMember m = createMember(f, o);
    long chunkSectors = m.geometry().chunkSectors();
    try (FileBlockDevice d = FileBlockDevice.open(f, FileDeviceOptions.READ_WRITE)) {
      io.clustermd.bitmap.intent.WriteIntentBitmap slot2 =
          io.clustermd.bitmap.intent.WriteIntentBitmap.open(d, m, MdSlot.of(2), 0);
      // Chunks 0..4 in one write, then chunk 100 and the last chunk.
      slot2.startWrite(io.clustermd.bitmap.format.SectorRange.ofLength(0, 5 * chunkSectors));
      slot2.startWrite(io.clustermd.bitmap.format.SectorRange.ofLength(100 * chunkSectors, 1));
      slot2.startWrite(io.clustermd.bitmap.format.SectorRange.ofLength(m.superblock().size() - 1, 1));
    }
    try (HostTools.Loop loop = HostTools.Loop.attachReadOnly(f)) {
      HostTools.Result r = HostTools.run("mdadm", "-X", loop.device());
      List<Map<String, String>> s = HostTools.sections(r.stdout());
      assertEquals(5, s.size(), r.toString());
      assertTrue(s.get(3).get("Bitmap").contains(", 7 dirty"), s.get(3).toString());
      for (int k : new int[] {1, 2, 4}) {
        assertTrue(s.get(k).get("Bitmap").contains(", 0 dirty"), s.get(k).toString());
      }
    }
  }

  @Test
  @DisplayName("--assume-clean: mdadm -E says clean and every slot has 0 dirty; 32-byte name shown whole")
  void assumeClean() throws IOException {
    HostTools.requireLoopDevices();
    Path f = sparseFile(dir, "m2.img", 256L << 20);
    String name = "n".repeat(32);
    MemberCreateOptions o =
        MemberCreateOptions.defaults(SET, DEV, name, "c", 0, 1_700_000_000L)
            .withNodes(2)
            .withInitialSync(InitialSync.ASSUME_CLEAN);
    createMember(f, o);
    HostTools.Result e = HostTools.run("mdadm", "--examine", f.toString());
    assertEquals(0, e.exitCode(), e.toString());
    Map<String, String> ex = HostTools.sections(e.stdout()).get(0);
    assertEquals("clean", ex.get("State"));
    assertEquals(name, ex.get("Name"));
    assertTrue(ex.get("Checksum").endsWith("correct"));
    try (HostTools.Loop loop = HostTools.Loop.attachReadOnly(f)) {
      HostTools.Result r = HostTools.run("mdadm", "-X", loop.device());
      List<Map<String, String>> s = HostTools.sections(r.stdout());
      assertEquals(3, s.size(), r.toString());
      for (int k = 1; k <= 2; k++) {
        assertTrue(s.get(k).get("Bitmap").contains(" 0 dirty"), s.get(k).toString());
      }
    }
  }

  @Test
  @DisplayName("a member whose superblock checksum is wrong: mdadm -E reports 'expected', clustermd refuses")
  void badChecksumSeenByBoth() throws IOException {
    Path f = sparseFile(dir, "m3.img", 64L << 20);
    createMember(f, MemberCreateOptions.defaults(SET, DEV, "x", "c", 0, 1_700_000_000L));
    try (FileBlockDevice d = FileBlockDevice.open(f, FileDeviceOptions.READ_WRITE)) {
      d.write(4096 + 200, new byte[] {7}); // events
      d.flush();
      io.clustermd.bitmap.format.MetadataException ex =
          org.junit.jupiter.api.Assertions.assertThrows(
              io.clustermd.bitmap.format.MetadataException.class, () -> MemberStore.load(d));
      assertEquals("sb_csum", ex.field());
    }
    HostTools.Result r = HostTools.run("mdadm", "--examine", f.toString());
    String csum = HostTools.sections(r.stdout()).get(0).get("Checksum");
    assertTrue(csum.contains(" - expected "), r.toString());
  }
}
