package io.clustermd.dlm.core.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link StreamFramer}: frames cut out of a byte stream that arrives in arbitrary pieces. */
class StreamFramerTest {

  private static final int MAX = 64;

  private static byte[] stream(String... payloads) {
    ByteBuffer all = ByteBuffer.allocate(1024);
    for (String p : payloads) {
      all.put(StreamFramer.encode(p.getBytes(StandardCharsets.UTF_8)));
    }
    all.flip();
    byte[] b = new byte[all.remaining()];
    all.get(b);
    return b;
  }

  private static List<String> feedInPieces(StreamFramer f, byte[] bytes, int piece) throws Exception {
    List<String> out = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += piece) {
      ByteBuffer b = ByteBuffer.wrap(bytes, at, Math.min(piece, bytes.length - at));
      for (byte[] frame : f.feed(b)) {
        out.add(new String(frame, StandardCharsets.UTF_8));
      }
      assertEquals(0, b.remaining(), "feed consumes everything it is given");
    }
    return out;
  }

  static Stream<Arguments> pieces() {
    return Stream.of(
        //            frames on the stream                 read size  frames seen
        Arguments.of(List.of("a"), 1024, List.of("a")),
        Arguments.of(List.of("a"), 1, List.of("a")),
        Arguments.of(List.of("ab", "cde", "f"), 1024, List.of("ab", "cde", "f")),
        Arguments.of(List.of("ab", "cde", "f"), 1, List.of("ab", "cde", "f")),
        Arguments.of(List.of("ab", "cde", "f"), 3, List.of("ab", "cde", "f")),
        Arguments.of(List.of("ab", "cde", "f"), 5, List.of("ab", "cde", "f")),
        Arguments.of(List.of("x".repeat(MAX)), 7, List.of("x".repeat(MAX))));
  }

  @ParameterizedTest(name = "{0} read {1} bytes at a time")
  @MethodSource("pieces")
  @DisplayName("frames come out whole and in order however the stream is cut")
  void cutAnywhere(List<String> frames, int piece, List<String> expected) throws Exception {
    StreamFramer f = new StreamFramer(MAX);
    assertEquals(expected, feedInPieces(f, stream(frames.toArray(String[]::new)), piece));
    assertEquals(0, f.partialBytes());
  }

  @Test
  @DisplayName("a partial frame is held between reads: header, then body")
  void partialHeld() throws Exception {
    StreamFramer f = new StreamFramer(MAX);
    byte[] s = stream("hello");
    assertTrue(f.feed(ByteBuffer.wrap(s, 0, 2)).isEmpty());
    assertEquals(2, f.partialBytes());
    assertTrue(f.feed(ByteBuffer.wrap(s, 2, 4)).isEmpty());
    assertEquals(6, f.partialBytes());
    List<byte[]> done = f.feed(ByteBuffer.wrap(s, 6, s.length - 6));
    assertEquals(1, done.size());
    assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), done.get(0));
  }

  static Stream<Arguments> badLengths() {
    return Stream.of(
        //            length prefix  message names
        Arguments.of(0, "frame length 0 bytes is outside 1..64"),
        Arguments.of(MAX + 1, "frame length 65 bytes is outside 1..64"),
        Arguments.of(-1, "frame length 4294967295 bytes is outside 1..64"),
        Arguments.of(0x47455420, "frame length 1195725856 bytes")); // "GET " from an HTTP client
  }

  @ParameterizedTest(name = "length {0}")
  @MethodSource("badLengths")
  @DisplayName("a length outside 1..max breaks the stream with an error naming it, and the stream stays broken")
  void badLength(int length, String expected) {
    StreamFramer f = new StreamFramer(MAX);
    ByteBuffer b = ByteBuffer.allocate(8).putInt(length).putInt(0).flip();
    StreamFramer.FramingException e = assertThrows(StreamFramer.FramingException.class, () -> f.feed(b));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertThrows(StreamFramer.FramingException.class, () -> f.feed(ByteBuffer.wrap(stream("a"))));
  }
}
