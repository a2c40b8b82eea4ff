package io.clustermd.bitmap.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.device.FileBlockDevice;
import io.clustermd.bitmap.device.FileDeviceOptions;
import io.clustermd.bitmap.device.SimulatedBlockDevice;
import io.clustermd.bitmap.format.Fixtures;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.MdSuperblock;
import io.clustermd.bitmap.format.MdSuperblockCodec;
import io.clustermd.bitmap.format.MetadataException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad member is refused with the field and the value, and nothing is written. */
class RefusalTest {

  private static final long SIZE = 64L << 20;
  private static final long SB = 4096;
  private static final long BM = 8192;

  static SimulatedBlockDevice member() {
    SimulatedBlockDevice d = new SimulatedBlockDevice("sim0", SIZE);
    MemberStore.create(d, Fixtures.options());
    return d;
  }

  static void putInt(SimulatedBlockDevice d, long off, int v) {
    d.write(off, new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
  }

  /** Re-encodes the superblock with a change, so that the checksum stays correct. */
  static void rewriteSb(SimulatedBlockDevice d, java.util.function.UnaryOperator<MdSuperblock> f) {
    MdSuperblock sb = MdSuperblockCodec.decode(d.read(SB, 4096)).superblock();
    d.write(SB, MdSuperblockCodec.encode(f.apply(sb)));
  }

  /** case | corruption | expected field | expected value fragment. */
  static Stream<Arguments> corruptions() {
    return Stream.of(
        c("wrong magic", d -> putInt(d, SB, 0x12345678), "magic", "0x12345678"),
        c("major version 2", d -> rewriteSb(d, s -> s.toBuilder().majorVersion(2).build()),
            "major_version", "2"),
        c("flipped byte (checksum)", d -> d.write(SB + 40, new byte[] {'X'}), "sb_csum", ""),
        c("unknown feature bit 0x8000",
            d -> rewriteSb(d, s -> s.toBuilder().featureMap(0x8101).build()),
            "feature_map", "0x8101"),
        c("super_offset 0 (a v1.1 superblock at 4 KiB)",
            d -> rewriteSb(d, s -> s.toBuilder().superOffset(0).build()), "super_offset", "0"),
        c("data beyond the device", d -> rewriteSb(d, s -> s.toBuilder().dataSize(SIZE).build()),
            "data_size", String.valueOf(SIZE)),
        c("size larger than data_size",
            d -> rewriteSb(d, s -> s.toBuilder().size(s.dataSize() + 1).build()), "size", ""),
        c("data area over the superblock",
            d -> rewriteSb(d, s -> s.toBuilder().dataOffset(8).build()), "data_offset", "8"),
        c("max_dev beyond 1920", d -> putInt(d, SB + 220, 5000), "max_dev", "5000"),
        c("bitmap inside the data area",
            d -> rewriteSb(d, s -> s.toBuilder().bitmapOffset(4096).build()),
            "bitmap_offset", "4096"),
        c("bitmap magic", d -> putInt(d, BM, 0), "magic", "0x0"),
        c("bitmap version 6", d -> putInt(d, BM + 4, 6), "version", "6"),
        c("bitmap uuid", d -> putInt(d, BM + 8, 0), "uuid", ""),
        c("bitmap chunk not a power of two", d -> putInt(d, BM + 52, 3 << 20), "chunksize", ""),
        c("bitmap chunk below 512", d -> putInt(d, BM + 52, 256), "chunksize", "256"),
        c("daemon_sleep 0", d -> putInt(d, BM + 56, 0), "daemon_sleep", "0"),
        c("write_behind too large", d -> putInt(d, BM + 60, 20000), "write_behind", "20000"),
        c("sync_size smaller than the array", d -> putInt(d, BM + 40, 100), "sync_size", "100"),
        c("nodes beyond the room before data", d -> putInt(d, BM + 68, 600), "nodes", "600"),
        c("nodes 0", d -> putInt(d, BM + 68, 0), "nodes", "0"),
        c("cluster_name without NUL", d -> d.write(BM + 72, "c".repeat(64).getBytes()),
            "cluster_name", "ccc"));
  }

  private static Arguments c(
      String name, Consumer<SimulatedBlockDevice> corrupt, String field, String value) {
    return Arguments.of(name, corrupt, field, value);
  }

  @ParameterizedTest(name = "{0} -> field {2}")
  @MethodSource("corruptions")
  @DisplayName("a corrupted member is refused naming field and value, and update writes nothing")
  void refused(String name, Consumer<SimulatedBlockDevice> corrupt, String field, String value) {
    SimulatedBlockDevice d = member();
    corrupt.accept(d);
    MetadataException e = assertThrows(MetadataException.class, () -> MemberStore.load(d));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.value().contains(value), e.getMessage());
    assertTrue(e.getMessage().startsWith("sim0: "), "names the device: " + e.getMessage());

    byte[] before = d.read(0, 65536);
    long writes = d.stats().writes();
    if (e.structure().contains("md superblock") || e.structure().contains("member")) {
      assertThrows(
          MetadataException.class,
          () -> MemberStore.updateSuperblock(d, s -> s.toBuilder().events(99).build()));
      assertEquals(writes, d.stats().writes(), "nothing written over invalid metadata");
      org.junit.jupiter.api.Assertions.assertArrayEquals(before, d.read(0, 65536));
    }
  }

  @Test
  @DisplayName("a slot beyond nodes is refused naming nodes")
  void slotBeyondNodes() {
    SimulatedBlockDevice d = member();
    LoadedMember m = MemberStore.load(d);
    MetadataException e =
        assertThrows(MetadataException.class, () -> MemberStore.readSlot(d, m, MdSlot.of(4)));
    assertEquals("nodes", e.field());
    assertTrue(e.getMessage().contains("slot4"), e.getMessage());
  }

  @Test
  @DisplayName("a slot whose own superblock disagrees with slot 0 on chunksize is refused")
  void slotDisagrees() {
    SimulatedBlockDevice d = member();
    LoadedMember m = MemberStore.load(d);
    putInt(d, BM + 2 * 4096 + 52, 1 << 20);
    MetadataException e =
        assertThrows(MetadataException.class, () -> MemberStore.readSlot(d, m, MdSlot.of(2)));
    assertEquals("chunksize", e.field());
  }

  @Test
  @DisplayName("an all-zero device has no superblock: magic 0x0")
  void blank() {
    MetadataException e =
        assertThrows(
            MetadataException.class,
            () -> MemberStore.load(new SimulatedBlockDevice("blank", SIZE)));
    assertEquals("magic", e.field());
  }

  @Test
  @DisplayName("a truncated member file is refused naming data_size, or device_size if tiny")
  void truncatedFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("m.img");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(SIZE);
    }
    try (FileBlockDevice d = FileBlockDevice.open(f, FileDeviceOptions.READ_WRITE)) {
      MemberStore.create(d, Fixtures.options());
    }
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(SIZE / 2);
    }
    try (FileBlockDevice d = FileBlockDevice.open(f, FileDeviceOptions.READ_ONLY)) {
      MetadataException e = assertThrows(MetadataException.class, () -> MemberStore.load(d));
      assertEquals("data_size", e.field());
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(4200);
    }
    try (FileBlockDevice d = FileBlockDevice.open(f, FileDeviceOptions.READ_ONLY)) {
      MetadataException e = assertThrows(MetadataException.class, () -> MemberStore.load(d));
      assertEquals("device_size", e.field());
      assertTrue(e.value().startsWith("4200"), e.getMessage());
    }
  }

  @Test
  @DisplayName("an update that would produce an invalid superblock is refused before writing")
  void invalidUpdate() {
    SimulatedBlockDevice d = member();
    long writes = d.stats().writes();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MemberStore.updateSuperblock(d, s -> s.toBuilder().dataOffset(1).build()));
    assertTrue(e.getMessage().contains("data_offset"), e.getMessage());
    assertEquals(writes, d.stats().writes());
  }

  @Test
  @DisplayName("a valid update round-trips through load")
  void update() {
    SimulatedBlockDevice d = member();
    MemberStore.updateSuperblock(d, s -> s.toBuilder().events(42).utime(1_800_000_000L).build());
    MdSuperblock sb = MemberStore.load(d).superblock();
    assertEquals(42, sb.events());
    assertEquals(1_800_000_000L, sb.utimeSeconds());
  }
}
