package io.clustermd.bitmap.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemberLayoutTest {

  @ParameterizedTest(name = "{0} sectors -> bm_space {1}, data_offset {2}")
  @CsvSource({
    // device sectors | choose_bm_space | data_offset (by hand from validate_geometry1)
    "100,          0,   2048",
    "131072,       8,   2048", // 64 MiB: headroom 128 -> 24+8+128=160 -> 1 MiB
    "2097152,      8,   4096", // 1 GiB: headroom 2048 -> 24+8+2048 -> 2 MiB
    "20971520,     128, 18432", // 10 GiB: headroom 16384 -> 24+128+16384=16536 -> 9 MiB
    "419430400,    128, 264192", // exactly 200 GiB is not >= 200 GiB + 64 KiB: 64 KiB room
    "419432448,    256, 264192", // 200 GiB + 1 MiB: headroom 128 MiB -> 24+256+262144 -> 129 MiB
  })
  @DisplayName("data_offset follows mdadm: 24 + choose_bm_space + headroom(~0.1%, <=128 MiB), 1 MiB up")
  void dataOffset(long devSectors, long bmSpace, long dataOffset) {
    assertEquals(bmSpace, MemberLayout.chooseBmSpaceSectors(devSectors));
    assertEquals(dataOffset, MemberLayout.defaultDataOffset(devSectors));
  }

  @ParameterizedTest(name = "size {0} sectors -> chunk {1}")
  @CsvSource({
    "129024,         67108864", // small arrays: the 64 MiB floor
    "2147483648,     67108864", // 1 TiB: 16384 bits fit in 128 KiB
    "34359738368,    67108864", // 16 TiB at 64 MiB = 262144 bits = 32 KiB: fits
    "549755813888,   536870912", // 256 TiB: 128 KiB holds 1046528 bits; 2^36+1 halves to 2^19+1 -> 512 MiB
  })
  @DisplayName("default bitmap chunk: smallest that fits in 128 KiB per node, at least 64 MiB")
  void defaultChunk(long size, int chunk) {
    assertEquals(chunk, MemberLayout.defaultChunkBytes(size));
  }

  @Test
  @DisplayName("create: 0x101 features, roles 0..n-1 then spare, events 0, slot 0 dirty, others clean, sb last")
  void plan() {
    MemberLayout.MemberPlan p = MemberLayout.plan(Fixtures.options(), 64L << 20);
    MdSuperblock sb = p.superblock();
    assertEquals(0x101, sb.featureMap());
    assertEquals(8, sb.superOffset());
    assertEquals(8, sb.bitmapOffset());
    assertEquals(2048, sb.dataOffset());
    assertEquals(131072 - 2048, sb.dataSize());
    assertEquals(129024, sb.size(), "rounded down to 64 KiB");
    assertEquals(128, sb.maxDev());
    assertEquals(0, sb.role());
    assertEquals(1, sb.devRoles().role(1));
    assertEquals(DevRoles.SPARE, sb.devRoles().role(2));
    assertEquals(0, sb.events());
    assertEquals(0, sb.resyncOffset());
    assertEquals(sb.ctime(), sb.utime());
    List<BlockWrite> w = p.writes();
    assertEquals(5, w.size());
    assertEquals("md superblock", w.get(4).what());
    assertEquals(4096, w.get(4).offset());
    for (int k = 0; k < 4; k++) {
      BlockWrite area = w.get(k);
      assertEquals(8192 + 4096L * k, area.offset());
      assertEquals(4096, area.data().length);
      byte fill = k == 0 ? (byte) 0xff : 0;
      for (int i = 256; i < 4096; i++) {
        assertEquals(fill, area.data()[i], "slot " + k + " byte " + i);
      }
      assertEquals(p.bitmapSuperblock(), BitmapSuperblock.decode(area.data(), 0).superblock());
    }
  }

  @Test
  @DisplayName("create --assume-clean: resync_offset MaxSector and every slot clean")
  void assumeClean() {
    MemberLayout.MemberPlan p =
        MemberLayout.plan(Fixtures.options().withInitialSync(InitialSync.ASSUME_CLEAN), 64L << 20);
    assertTrue(p.superblock().isClean());
    for (int k = 0; k < 4; k++) {
      byte[] d = p.writes().get(k).data();
      for (int i = 256; i < d.length; i++) {
        assertEquals(0, d[i]);
      }
    }
  }

  @Test
  @DisplayName("too many nodes for the room before data_offset is refused, naming nodes")
  void tooManyNodes() {
    MetadataException e =
        assertThrows(
            MetadataException.class,
            () ->
                MemberLayout.plan(
                    Fixtures.options().withNodes(300).withBitmapChunkBytes(4096), 64L << 20));
    assertEquals("nodes", e.field());
    assertTrue(e.getMessage().contains("can't exceed"), e.getMessage());
  }

  @Test
  @DisplayName("bad create options are refused: 1 node, long names, zero disks")
  void badOptions() {
    assertThrows(IllegalArgumentException.class, () -> Fixtures.options().withNodes(1));
    assertThrows(
        IllegalArgumentException.class,
        () -> MemberLayout.plan(
            MemberCreateOptions.defaults(
                Fixtures.SET_UUID, Fixtures.DEV_UUID, "x".repeat(33), "c", 0, 1), 64L << 20));
    assertThrows(
        IllegalArgumentException.class,
        () -> MemberLayout.plan(
            MemberCreateOptions.defaults(
                Fixtures.SET_UUID, Fixtures.DEV_UUID, "x", "c".repeat(64), 0, 1), 64L << 20));
    assertThrows(IllegalArgumentException.class, () -> Fixtures.options().withDisks(0, 0, 0));
    MetadataException small =
        assertThrows(MetadataException.class, () -> MemberLayout.plan(Fixtures.options(), 1L << 20));
    assertEquals("data_offset", small.field());
  }
}
