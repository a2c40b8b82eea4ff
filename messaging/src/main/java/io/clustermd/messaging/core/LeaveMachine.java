package io.clustermd.messaging.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;

/**
 * Leave (mdcluster.md §5.4, {@code lockres_free}): unlock every lock this node holds, with
 * FORCEUNLOCK, one after the other. Unlocking ack releases a sender that waits for this node; an
 * unlock that does not complete in time is noted and the others go on.
 */
final class LeaveMachine extends Sequence {

  private final Deque<CommLock> toUnlock;
  private final List<String> problems = new ArrayList<>();
  private boolean finished;

  LeaveMachine(Collection<CommLock> held, CommOptions options) {
    super(options);
    this.toUnlock = new ArrayDeque<>(held);
  }

  List<CommEffect> start(long now) {
    return next(now);
  }

  private List<CommEffect> next(long now) {
    CommLock lock = toUnlock.poll();
    if (lock == null) {
      finished = true;
      return List.of();
    }
    return List.of(unlock(lock, "§5.4 leave: unlock " + lock, now));
  }

  @Override
  protected List<CommEffect> onGranted(CommInput.LockDone d, long now) {
    return next(now);
  }

  @Override
  protected List<CommEffect> onFailed(LockFailure f, long now) {
    problems.add(f.description());
    List<CommEffect> out = new ArrayList<>(2);
    out.add(new CommEffect.Note("messaging.leave-unlock-failed", f.description()));
    out.addAll(next(now));
    return out;
  }

  List<String> problems() {
    return problems;
  }

  @Override
  boolean done() {
    return finished;
  }
}
