package io.clustermd.bitmap.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BitmapGeometryTest {

  @ParameterizedTest(name = "sync={0} sectors, chunk={1} B -> {2} chunks, {3} B/slot, slot 3 at {4}")
  @CsvSource({
    // sync_size sectors | chunk bytes | chunks | area bytes | slot 3 byte offset
    "2097152,      67108864, 16,     4096,   20480", // mdcluster.md §6.4 example: 1 GiB / 64 MiB
    "129024,       67108864, 1,      4096,   20480", // a 63 MiB member: one chunk
    "2097153,      67108864, 17,     4096,   20480", // one sector more: round up
    "34359738368,  67108864, 262144, 36864,  118784", // 16 TiB / 64 MiB: 32 KiB of bits + sb
    "31744,        4096,     3968,   4096,   20480", // 496 bytes of bits + 256 = 752 -> 4096
    "32768,        4096,     4096,   4096,   20480", // 512 + 256 = 768 -> 4096
    "65536,        512,      65536,  12288,  45056", // 8192 + 256 -> 12288
  })
  @DisplayName("chunks round up, areas are ceil(bits/8)+256 rounded to 4 KiB, slots follow slot 0")
  void table(long sync, int chunk, long chunks, long area, long slot3) {
    BitmapGeometry g = new BitmapGeometry(8, 8, sync, chunk, 4);
    assertEquals(chunks, g.chunks());
    assertEquals(area, g.areaBytes());
    assertEquals(8192, g.slotOffsetBytes(MdSlot.of(0)));
    assertEquals(slot3, g.slotOffsetBytes(MdSlot.of(3)));
    assertEquals(8192 + 4 * area, g.bitmapEndBytes());
  }

  @Test
  @DisplayName("a sector maps to its chunk; ranges map to first and last chunk; last chunk clipped")
  void sectorsAndChunks() {
    BitmapGeometry g = new BitmapGeometry(8, 8, 1000, 64 * 512, 2);
    assertEquals(64, g.chunkSectors());
    assertEquals(16, g.chunks());
    assertEquals(ChunkIndex.of(0), g.chunkOf(63));
    assertEquals(ChunkIndex.of(1), g.chunkOf(64));
    assertEquals(ChunkIndex.of(1), g.firstChunk(new SectorRange(64, 200)));
    assertEquals(ChunkIndex.of(3), g.lastChunk(new SectorRange(64, 200)));
    assertEquals(new SectorRange(960, 1000), g.sectorsOf(ChunkIndex.of(15)));
    assertThrows(IllegalArgumentException.class, () -> g.chunkOf(1000));
    assertThrows(IllegalArgumentException.class, () -> g.slotOffsetBytes(MdSlot.of(2)));
  }

  @Test
  @DisplayName("bit order is set_bit_le: chunk c is bit c%8 of byte c/8, LSB first")
  void bitOrder() {
    byte[] bits = new byte[4];
    BitmapBits.set(bits, 1, 0);
    BitmapBits.set(bits, 1, 9);
    BitmapBits.set(bits, 1, 23);
    assertEquals(0x01, bits[1] & 0xff);
    assertEquals(0x02, bits[2] & 0xff);
    assertEquals(0x80, bits[3] & 0xff);
    assertTrue(BitmapBits.test(bits, 1, 9));
    assertFalse(BitmapBits.test(bits, 1, 8));
    assertEquals(3, BitmapBits.countDirty(bits, 1, 24));
    assertEquals(2, BitmapBits.countDirty(bits, 1, 23), "count stops at the last chunk");
    BitmapBits.clear(bits, 1, 9);
    assertEquals(0, bits[2]);
  }

  @Test
  @DisplayName("MdSlot is 0-based, DLM slots 1-based, converted in one place")
  void slots() {
    assertEquals(1, MdSlot.of(0).toDlmSlotNumber());
    assertEquals(MdSlot.of(2), MdSlot.fromDlmSlotNumber(3));
    assertThrows(IllegalArgumentException.class, () -> MdSlot.fromDlmSlotNumber(0));
    assertThrows(IllegalArgumentException.class, () -> MdSlot.of(-1));
    assertThrows(IllegalArgumentException.class, () -> new SectorRange(5, 5));
    assertThrows(IllegalArgumentException.class, () -> ChunkIndex.of(-1));
  }
}
