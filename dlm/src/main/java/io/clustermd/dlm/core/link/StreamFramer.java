package io.clustermd.dlm.core.link;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a TCP byte stream into frames: each frame is its length as a 4-byte big-endian integer, then
 * that many bytes. Bytes arrive in arbitrary pieces (one read may hold half a header or several
 * frames); {@link #feed} keeps the partial frame between calls. A length of zero or above
 * {@code maxFrameBytes} is a broken or hostile peer: {@link FramingException}, and the stream is
 * unusable after it.
 */
public final class StreamFramer {

  /** Bytes of the length prefix. */
  public static final int HEADER_BYTES = 4;

  private final int maxFrameBytes;
  private final byte[] header = new byte[HEADER_BYTES];
  private int headerFill;
  private byte[] body;
  private int bodyFill;
  private boolean broken;

  public StreamFramer(int maxFrameBytes) {
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** A frame's bytes on the stream: the length prefix, then {@code payload}. */
  public static ByteBuffer encode(byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    b.putInt(payload.length).put(payload).flip();
    return b;
  }

  /** Consumes every remaining byte of {@code in}; returns the frames it completed, in order. */
  public List<byte[]> feed(ByteBuffer in) throws FramingException {
    if (broken) {
      throw new FramingException("the stream already failed framing; close it");
    }
    List<byte[]> frames = new ArrayList<>(1);
    while (in.hasRemaining()) {
      if (body == null) {
        int n = Math.min(HEADER_BYTES - headerFill, in.remaining());
        in.get(header, headerFill, n);
        headerFill += n;
        if (headerFill == HEADER_BYTES) {
          startBody(ByteBuffer.wrap(header).getInt());
        }
      } else {
        int n = Math.min(body.length - bodyFill, in.remaining());
        in.get(body, bodyFill, n);
        bodyFill += n;
      }
      if (body != null && bodyFill == body.length) {
        frames.add(body);
        body = null;
        bodyFill = 0;
        headerFill = 0;
      }
    }
    return frames;
  }

  /** Bytes held of a frame not yet complete (header included). */
  public int partialBytes() {
    return body == null ? headerFill : HEADER_BYTES + bodyFill;
  }

  private void startBody(int length) throws FramingException {
    if (length < 1 || length > maxFrameBytes) {
      broken = true;
      throw new FramingException("frame length " + Integer.toUnsignedString(length) + " bytes is outside 1.."
          + maxFrameBytes);
    }
    body = new byte[length];
    bodyFill = 0;
  }

  /** The stream does not hold valid frames. */
  public static final class FramingException extends Exception {
    public FramingException(String message) {
      super(message);
    }
  }
}
