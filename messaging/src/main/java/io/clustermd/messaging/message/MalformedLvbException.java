package io.clustermd.messaging.message;

/**
 * An LVB that does not hold a message (or receipt) this node understands. The message says what
 * was wrong: the framing, the protobuf, an unknown type (a newer node, mdcluster.md §9 item 17) or
 * a field out of range.
 */
public final class MalformedLvbException extends RuntimeException {

  public MalformedLvbException(String message) {
    super(message);
  }

  public MalformedLvbException(String message, Throwable cause) {
    super(message, cause);
  }
}
