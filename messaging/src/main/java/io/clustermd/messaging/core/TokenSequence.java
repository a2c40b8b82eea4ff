package io.clustermd.messaging.core;

import io.clustermd.dlm.core.LockMode;
import java.util.List;

/**
 * Owning communication: {@code lock_token} takes token EX (mdcluster.md §3.3 step 1) and
 * {@code unlock_comm} returns it to NL (step 3). recv_mutex is taken and released by
 * {@link CommCore} around what happens in between.
 */
final class TokenSequence extends Sequence {

  enum Phase {
    ACQUIRING,
    HELD,
    RELEASING,
    RELEASED,
    FAILED
  }

  private Phase phase;
  private CommFailure failure;

  TokenSequence(CommOptions options) {
    super(options);
  }

  List<CommEffect> acquire(long now) {
    phase = Phase.ACQUIRING;
    return List.of(convert(CommLock.TOKEN, LockMode.EX, "§3.3 step 1 lock_comm: token EX", now));
  }

  List<CommEffect> release(long now) {
    phase = Phase.RELEASING;
    return List.of(convert(CommLock.TOKEN, LockMode.NL, "§3.3 step 3 unlock_comm: token NL", now));
  }

  @Override
  protected List<CommEffect> onGranted(CommInput.LockDone d, long now) {
    phase = phase == Phase.ACQUIRING ? Phase.HELD : Phase.RELEASED;
    return List.of();
  }

  @Override
  protected List<CommEffect> onFailed(LockFailure f, long now) {
    if (phase == Phase.ACQUIRING) {
      phase = Phase.FAILED;
      failure =
          CommFailure.of(
              CommFailure.Kind.LOCK_FAILED, "could not own communication: " + f.description());
      return List.of();
    }
    markBroken("token →NL failed: " + f.description());
    phase = Phase.RELEASED;
    return List.of();
  }

  Phase phase() {
    return phase;
  }

  CommFailure failure() {
    return failure;
  }

  @Override
  boolean done() {
    return phase == Phase.HELD || phase == Phase.RELEASED || phase == Phase.FAILED;
  }
}
