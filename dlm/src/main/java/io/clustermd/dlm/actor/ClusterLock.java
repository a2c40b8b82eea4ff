package io.clustermd.dlm.actor;

import io.clustermd.dlm.api.BlockingHandler;
import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.api.WaiterFuture;
import io.clustermd.dlm.core.CallbackFilter;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.cluster.NodeEffect;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock of a {@link ClusterLockspace}. The node's effects for it are queued in the core's order
 * and delivered one at a time (dlm.md §5.3: in order, never concurrently, per lock): the
 * initiator's own immediate completion on the calling thread, everything else on the callback
 * executor, or on the thread that received it when the request declared its callbacks
 * non-blocking ({@link io.clustermd.dlm.api.LockRequest#nonBlockingCallbacks()}).
 */
final class ClusterLock implements DlmLock {

  private static final Logger log = LoggerFactory.getLogger(ClusterLock.class);

  private final ClusterLockspace lockspace;
  private final LockId id;
  private final ResourceName resource;
  private final byte[] lvb;
  private final Executor executor;
  /** The caller's callbacks never block: deliver on whichever thread produced the effect. */
  private final boolean inlineCallbacks;
  private final WaiterFuture<StatusBlock> requested = new WaiterFuture<>();
  private final CallbackFilter filter = new CallbackFilter();
  private volatile BlockingHandler handler;

  /** Guards the three fields below. */
  private final Object queue = new Object();
  private final ArrayDeque<NodeEffect> pending = new ArrayDeque<>(2);
  private final ArrayDeque<WaiterFuture<StatusBlock>> outstanding = new ArrayDeque<>(2);
  private boolean deliveryScheduled;

  ClusterLock(ClusterLockspace lockspace, LockId id, ResourceName resource, byte[] lvb, BlockingHandler handler,
      boolean inlineCallbacks, Executor executor) {
    this.lockspace = lockspace;
    this.inlineCallbacks = inlineCallbacks;
    this.id = id;
    this.resource = resource;
    this.lvb = lvb;
    this.handler = handler;
    this.executor = executor;
    outstanding.add(requested);
  }

  LockId lockId() {
    return id;
  }

  @Override
  public long id() {
    return id.value();
  }

  @Override
  public ResourceName resource() {
    return resource;
  }

  @Override
  public CompletionStage<StatusBlock> requested() {
    return requested;
  }

  @Override
  public byte[] lvb() {
    return lvb;
  }

  @Override
  public CompletionStage<StatusBlock> convert(LockMode mode, LockFlags flags) {
    WaiterFuture<StatusBlock> done = new WaiterFuture<>();
    lockspace.run(this, done, (node, now) -> node.convert(id, mode, flags, lvb, now));
    return done;
  }

  @Override
  public CompletionStage<StatusBlock> convert(LockMode mode, LockFlags flags, BlockingHandler blocking) {
    BlockingHandler previous = handler;
    handler = blocking;
    try {
      return convert(mode, flags);
    } catch (DlmException refused) {
      handler = previous;
      throw refused;
    }
  }

  @Override
  public CompletionStage<StatusBlock> unlock(LockFlags flags) {
    WaiterFuture<StatusBlock> done = new WaiterFuture<>();
    lockspace.run(this, done, (node, now) -> node.unlock(id, flags, lvb, now));
    return done;
  }

  @Override
  public void cancel() {
    lockspace.run(this, null, (node, now) -> node.unlock(id, LockFlags.of(LockFlag.CANCEL), null, now));
  }

  // ---- called by the lockspace under its monitor ----------------------------------------------

  void expect(WaiterFuture<StatusBlock> done) {
    synchronized (queue) {
      outstanding.add(done);
    }
  }

  void enqueue(NodeEffect e) {
    synchronized (queue) {
      pending.add(e);
    }
  }

  // ---- delivery -------------------------------------------------------------------------------

  /**
   * Delivers what the lockspace queued for this lock from a thread that is not the caller's (the
   * inbound frame's, a tick's): on the callback executor, or on this thread when the caller declared
   * its callbacks non-blocking or when delivering runs no caller code at all (only completions of
   * futures nobody chained a stage to, a waiting thread is woken directly).
   */
  void scheduleDelivery() {
    boolean inline;
    synchronized (queue) {
      if (deliveryScheduled || pending.isEmpty()) {
        return;
      }
      deliveryScheduled = true;
      inline = inlineCallbacks || runsNoCallerCode();
    }
    if (inline) {
      drain();
    } else {
      executor.execute(this::drain);
    }
  }

  /** Under {@code queue}: every pending effect completes futures, and none has a dependent stage. */
  private boolean runsNoCallerCode() {
    for (NodeEffect e : pending) {
      if (!(e instanceof NodeEffect.Completed) && !(e instanceof NodeEffect.Failed)) {
        return false;
      }
    }
    for (WaiterFuture<StatusBlock> f : outstanding) {
      if (!f.hasNoDependents()) {
        return false;
      }
    }
    return true;
  }

  void deliverInline() {
    synchronized (queue) {
      if (deliveryScheduled || pending.isEmpty()) {
        return;
      }
      deliveryScheduled = true;
    }
    drain();
  }

  private void drain() {
    while (true) {
      NodeEffect e;
      synchronized (queue) {
        e = pending.poll();
        if (e == null) {
          deliveryScheduled = false;
          return;
        }
      }
      try {
        if (e instanceof NodeEffect.Completed c) {
          complete(c);
        } else if (e instanceof NodeEffect.Blocked b) {
          block(b);
        } else if (e instanceof NodeEffect.Failed f) {
          fail(new DlmException(f.error(), f.reason() + " (lock " + id + " on " + resource + ")"));
        }
      } catch (RuntimeException | Error thrown) {
        log.warn("dlm.callback.failed lock={} res={} effect={}", id, resource, e, thrown);
      }
    }
  }

  private void complete(NodeEffect.Completed c) {
    if (c.lvb() != null && lvb != null) {
      System.arraycopy(c.lvb(), 0, lvb, 0, Math.min(lvb.length, c.lvb().length));
    }
    filter.completed(c.mode());
    StatusBlock sb = new StatusBlock(c.status(), id.value(), c.sbFlags(), c.mode());
    List<WaiterFuture<StatusBlock>> finished = new ArrayList<>(1);
    synchronized (queue) {
      if (c.status() == DlmStatus.EUNLOCK) {
        finished.addAll(outstanding);
        outstanding.clear();
      } else if (!outstanding.isEmpty()) {
        finished.add(outstanding.poll());
      }
    }
    finished.forEach(f -> f.complete(sb));
  }

  private void fail(DlmException why) {
    WaiterFuture<StatusBlock> f;
    synchronized (queue) {
      f = outstanding.poll();
    }
    if (f != null) {
      f.completeExceptionally(why);
    }
  }

  private void block(NodeEffect.Blocked b) {
    BlockingHandler h = handler;
    if (h != null && filter.admitBlocking(b.mode())) {
      h.blocking(this, b.mode());
    }
  }

  /** The lockspace is gone here: fail every outstanding operation. */
  void abandon(DlmException why) {
    List<WaiterFuture<StatusBlock>> failed;
    synchronized (queue) {
      failed = new ArrayList<>(outstanding);
      outstanding.clear();
      pending.clear();
    }
    failed.forEach(f -> f.completeExceptionally(why));
  }

  @Override
  public String toString() {
    return "lock " + id + " on " + resource;
  }
}
