package io.clustermd.dlm.api;

import io.clustermd.dlm.core.DlmError;

/**
 * A synchronous refusal (dlm.md §3.1): the call was not accepted, nothing changed, and no
 * completion will follow. The message names the argument or state that was wrong.
 */
public final class DlmException extends RuntimeException {

  private final DlmError error;

  public DlmException(DlmError error, String message) {
    super(error + ": " + message);
    this.error = error;
  }

  public DlmError error() {
    return error;
  }
}
