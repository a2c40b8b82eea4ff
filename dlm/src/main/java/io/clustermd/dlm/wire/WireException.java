package io.clustermd.dlm.wire;

/** A message from another member could not be decoded; the message names the field and value. */
public final class WireException extends RuntimeException {
  public WireException(String message) {
    super(message);
  }
}
