package io.clustermd.messaging.core;

import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import java.util.List;

/**
 * Publishing this node's receipt once it is ready (receipt PW→PW): one operation whose failure is
 * only noted, since the receipt serves only to name non-ackers.
 */
final class SingleOp extends Sequence {

  private boolean finished;

  SingleOp(CommOptions options) {
    super(options);
  }

  List<CommEffect> publishReceipt(byte[] lvb, String content, String why, long now) {
    return List.of(
        convert(CommLock.RECEIPT, LockMode.PW, LockFlags.NONE, lvb, content, why, now, options.lockMillisMax()));
  }

  @Override
  protected List<CommEffect> onGranted(CommInput.LockDone d, long now) {
    finished = true;
    return List.of();
  }

  @Override
  protected List<CommEffect> onFailed(LockFailure f, long now) {
    finished = true;
    return List.of(new CommEffect.Note("messaging.receipt-failed", f.description()));
  }

  @Override
  boolean done() {
    return finished;
  }
}
