package io.clustermd.messaging.core;

import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import java.util.List;

/**
 * The add-disk initiator's decision (mdcluster.md §5.6 initiator steps 2–3): {@code no-new-dev} EX
 * with NOQUEUE is granted only if every other node dropped its CR, i.e. confirmed the disk; EAGAIN
 * means some node did not. Either way no-new-dev ends at CR.
 */
final class ClaimMachine extends Sequence {

  private boolean exGranted;
  private boolean finished;
  private Outcome outcome;
  private CommFailure failure;

  ClaimMachine(CommOptions options) {
    super(options);
  }

  List<CommEffect> start(long now) {
    return List.of(
        convert(
            CommLock.NO_NEW_DEV,
            LockMode.EX,
            LockFlags.of(LockFlag.NOQUEUE),
            "§5.6 initiator step 2: no-new-dev EX NOQUEUE",
            now));
  }

  @Override
  protected List<CommEffect> onGranted(CommInput.LockDone d, long now) {
    if (!exGranted) {
      exGranted = true;
      return List.of(convert(CommLock.NO_NEW_DEV, LockMode.CR, "§5.6 initiator step 3: no-new-dev back to CR", now));
    }
    finish(new Outcome.Claimed(true));
    return List.of();
  }

  @Override
  protected List<CommEffect> onFailed(LockFailure f, long now) {
    if (!exGranted && f.kind() == FailureKind.STATUS && f.status() == DlmStatus.EAGAIN) {
      finish(new Outcome.Claimed(false));
      return List.of(new CommEffect.Note("messaging.no-new-dev-refused", "some node did not confirm the new disk"));
    }
    if (exGranted) {
      markBroken("no-new-dev EX→CR failed: " + f.description());
    }
    failure = CommFailure.of(CommFailure.Kind.LOCK_FAILED, f.description());
    finished = true;
    return List.of();
  }

  private void finish(Outcome o) {
    outcome = o;
    finished = true;
  }

  Outcome outcome() {
    return outcome;
  }

  CommFailure failure() {
    return failure;
  }

  @Override
  boolean done() {
    return finished;
  }
}
