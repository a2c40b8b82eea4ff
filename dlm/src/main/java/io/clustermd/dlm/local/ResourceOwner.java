package io.clustermd.dlm.local;

import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.core.Effect;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockResource;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single owner of one resource: runs core steps one at a time under its monitor, hands each
 * effect to its lock's callback queue in the core's order, and retires itself when the resource's
 * last lock leaves (which frees the LVB, dlm.md §8).
 */
final class ResourceOwner {

  private static final Logger log = LoggerFactory.getLogger(ResourceOwner.class);

  private final LocalLockspace lockspace;
  private final LockResource core;
  private final Map<LockId, LocalLock> locks = new HashMap<>();
  private boolean retired;

  ResourceOwner(LocalLockspace lockspace, ResourceName name, int lvbLength) {
    this.lockspace = lockspace;
    this.core = new LockResource(name, lvbLength);
  }

  ResourceName name() {
    return core.name();
  }

  /** @return false when this owner has retired and the caller must look the resource up again */
  boolean request(LocalLock lock, LockRequest req) {
    List<LocalLock> touched;
    CompletableFuture<io.clustermd.dlm.api.StatusBlock> done = lock.requestedFuture();
    synchronized (this) {
      if (retired) {
        return false;
      }
      lock.attach(this);
      locks.put(lock.lockId(), lock);
      Step step =
          core.request(lock.lockId(), req.mode(), req.flags(), req.lvb(), req.blocking() != null);
      touched = apply(step, lock, done);
    }
    deliver(touched, lock);
    return true;
  }

  /** Runs one step for {@code lock}; {@code done} completes with the step's own completion. */
  void run(
      LocalLock lock,
      Function<LockResource, Step> op,
      CompletableFuture<io.clustermd.dlm.api.StatusBlock> done) {
    List<LocalLock> touched;
    synchronized (this) {
      touched = apply(op.apply(core), lock, done);
    }
    deliver(touched, lock);
  }

  private List<LocalLock> apply(
      Step step, LocalLock initiator, CompletableFuture<io.clustermd.dlm.api.StatusBlock> done) {
    if (step instanceof Step.Rejected rejected) {
      if (core.lock(initiator.lockId()) == null) {
        locks.remove(initiator.lockId());
      }
      retireIfUnused();
      throw new DlmException(rejected.error(), rejected.reason() + " (resource " + core.name() + ")");
    }
    if (done != null) {
      initiator.expect(done);
    }
    List<Effect> effects = ((Step.Accepted) step).effects();
    List<LocalLock> touched = new ArrayList<>(effects.size());
    for (Effect e : effects) {
      LocalLock target = locks.get(e.lock());
      if (target == null) {
        throw new IllegalStateException("effect for a lock this owner does not know: " + e);
      }
      if (log.isDebugEnabled()) {
        log.debug("dlm.effect res={} {}", core.name(), e);
      }
      target.enqueue(e);
      if (!touched.contains(target)) {
        touched.add(target);
      }
      if (e instanceof Effect.Completion c && core.lock(c.lock()) == null) {
        locks.remove(c.lock());
      }
    }
    if (lockspace.checkInvariants()) {
      core.checkInvariants();
    }
    retireIfUnused();
    return touched;
  }

  private void retireIfUnused() {
    if (core.isUnused()) {
      retired = true;
      lockspace.retire(this);
    }
  }

  /** Other locks' callbacks go to the executor; the initiator's own are delivered here. */
  private static void deliver(List<LocalLock> touched, LocalLock initiator) {
    for (LocalLock l : touched) {
      if (l != initiator) {
        l.scheduleDelivery();
      }
    }
    if (touched.contains(initiator)) {
      initiator.deliverInline();
    }
  }

  /** The lockspace closed: fail every outstanding operation. */
  synchronized void abandon(DlmException why) {
    retired = true;
    for (LocalLock l : locks.values()) {
      l.abandon(why);
    }
    locks.clear();
  }
}
