package io.clustermd.bitmap.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BitmapSuperblockTest {

  private static final BitmapSuperblock SAMPLE =
      new BitmapSuperblock(
          0x6d746962, 5, Fixtures.SET_UUID, 0x1122334455667788L, 0x0102030405060708L,
          0x0000_0123_4567_89abL, 2, 1 << 26, 5, 7, 9, 4,
          FixedString.of("mycluster", 64, FixedString.Termination.NUL_TERMINATED));

  /** field | offset | size | expected value in SAMPLE. */
  static Stream<Arguments> fields() {
    return Stream.of(
        Arguments.of("magic", 0, 4, 0x6d746962L),
        Arguments.of("version", 4, 4, 5L),
        Arguments.of("events", 24, 8, 0x1122334455667788L),
        Arguments.of("events_cleared", 32, 8, 0x0102030405060708L),
        Arguments.of("sync_size", 40, 8, 0x0000_0123_4567_89abL),
        Arguments.of("state", 48, 4, 2L),
        Arguments.of("chunksize", 52, 4, 1L << 26),
        Arguments.of("daemon_sleep", 56, 4, 5L),
        Arguments.of("write_behind", 60, 4, 7L),
        Arguments.of("sectors_reserved", 64, 4, 9L),
        Arguments.of("nodes", 68, 4, 4L));
  }

  @ParameterizedTest(name = "{0} at offset {1}")
  @MethodSource("fields")
  @DisplayName("each bitmap superblock field is little-endian at its offset")
  void fieldAtOffset(String field, int offset, int size, long expected) {
    byte[] b = SAMPLE.encode();
    long v = 0;
    for (int i = size - 1; i >= 0; i--) {
      v = (v << 8) | (b[offset + i] & 0xff);
    }
    assertEquals(expected, v, field);
  }

  @Test
  @DisplayName("magic reads \"bitm\", uuid at 8, cluster_name at 72, pad zero, 256 bytes, round trip")
  void layout() {
    byte[] b = SAMPLE.encode();
    assertEquals(256, b.length);
    assertEquals("bitm", new String(b, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        Fixtures.SET_UUID.toBytes(), java.util.Arrays.copyOfRange(b, 8, 24));
    assertEquals("mycluster", new String(b, 72, 9, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(0, b[81]);
    for (int i = 136; i < 256; i++) {
      assertEquals(0, b[i], "pad " + i);
    }
    BitmapSuperblock.Decoded d = BitmapSuperblock.decode(b, 0);
    assertEquals(SAMPLE, d.superblock());
    assertEquals(true, d.padZero());
  }
}
