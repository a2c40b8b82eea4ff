package io.clustermd.bench.versus;

/** A backend that this build cannot start (its code is not written or not on the class path). */
public final class BackendUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  public BackendUnavailableException(String message) {
    super(message);
  }
}
