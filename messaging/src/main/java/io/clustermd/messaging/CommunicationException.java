package io.clustermd.messaging;

import io.clustermd.messaging.core.CommFailure;

/** A local communication request failed; {@link #failure()} says how, the message says why. */
public final class CommunicationException extends RuntimeException {

  private final transient CommFailure failure;

  public CommunicationException(CommFailure failure) {
    super(failure.description());
    this.failure = failure;
  }

  public CommFailure failure() {
    return failure;
  }
}
