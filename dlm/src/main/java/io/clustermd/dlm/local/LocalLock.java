package io.clustermd.dlm.local;

import io.clustermd.dlm.api.BlockingHandler;
import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.core.CallbackFilter;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.Effect;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock of a {@link LocalLockspace}. Its callbacks are queued by the resource owner in the
 * core's order and delivered one at a time on the callback executor (dlm.md §5.3: strictly in
 * order, never concurrently, per lock).
 */
final class LocalLock implements DlmLock {

  private static final Logger log = LoggerFactory.getLogger(LocalLock.class);

  private final LockId id;
  private final ResourceName resource;
  private final byte[] lvb;
  private final Executor executor;
  private final CompletableFuture<StatusBlock> requested = new CompletableFuture<>();
  private final CallbackFilter filter = new CallbackFilter();
  private volatile BlockingHandler handler;
  private volatile ResourceOwner owner;

  /** Guards the three fields below. */
  private final Object queue = new Object();
  private final ArrayDeque<Effect> pending = new ArrayDeque<>(2);
  /** Accepted operations awaiting their completion, oldest first. */
  private final ArrayDeque<CompletableFuture<StatusBlock>> outstanding = new ArrayDeque<>(2);
  private boolean deliveryScheduled;

  LocalLock(LockId id, LockRequest request, Executor executor) {
    this.id = id;
    this.resource = request.resource();
    this.lvb = request.lvb();
    this.handler = request.blocking();
    this.executor = executor;
  }

  LockId lockId() {
    return id;
  }

  CompletableFuture<StatusBlock> requestedFuture() {
    return requested;
  }

  void attach(ResourceOwner owner) {
    this.owner = owner;
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
    CompletableFuture<StatusBlock> done = new CompletableFuture<>();
    owner.run(this, core -> core.convert(id, mode, flags, lvb), done);
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
    CompletableFuture<StatusBlock> done = new CompletableFuture<>();
    owner.run(this, core -> core.unlock(id, flags, lvb), done);
    return done;
  }

  @Override
  public void cancel() {
    owner.run(this, core -> core.cancel(id), null);
  }

  // ---------------------------------------------------------------------------------------------
  // Called by the resource owner, under its monitor
  // ---------------------------------------------------------------------------------------------

  void expect(CompletableFuture<StatusBlock> done) {
    synchronized (queue) {
      outstanding.add(done);
    }
  }

  void enqueue(Effect e) {
    synchronized (queue) {
      pending.add(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery
  // ---------------------------------------------------------------------------------------------

  void scheduleDelivery() {
    synchronized (queue) {
      if (deliveryScheduled || pending.isEmpty()) {
        return;
      }
      deliveryScheduled = true;
    }
    executor.execute(this::drain);
  }

  /**
   * Delivers this lock's pending callbacks on the calling thread when nobody else is delivering
   * them; otherwise leaves them to the delivery already scheduled. Used for the lock whose own
   * operation produced them, so that an immediate grant costs no thread hand-off; callbacks for
   * other locks always go through the executor, so that one client's handler never runs on
   * another client's thread.
   */
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
      Effect e;
      synchronized (queue) {
        e = pending.poll();
        if (e == null) {
          deliveryScheduled = false;
          return;
        }
      }
      try {
        if (e instanceof Effect.Completion c) {
          complete(c);
        } else if (e instanceof Effect.Blocking b) {
          block(b);
        }
      } catch (RuntimeException | Error thrown) {
        log.warn("dlm.callback.failed lock={} res={} effect={}", id, resource, e, thrown);
      }
    }
  }

  private void complete(Effect.Completion c) {
    if (c.lvb() != null && lvb != null) {
      System.arraycopy(c.lvb(), 0, lvb, 0, lvb.length);
    }
    filter.completed(c.mode());
    StatusBlock sb = new StatusBlock(c.status(), id.value(), c.sbFlags(), c.mode());
    List<CompletableFuture<StatusBlock>> finished = new ArrayList<>(1);
    synchronized (queue) {
      if (c.status() == DlmStatus.EUNLOCK) {
        // The lock is gone: a request or conversion it still had pending ends with the unlock.
        finished.addAll(outstanding);
        outstanding.clear();
      } else if (!outstanding.isEmpty()) {
        finished.add(outstanding.poll());
      }
    }
    for (CompletableFuture<StatusBlock> f : finished) {
      f.complete(sb);
    }
  }

  private void block(Effect.Blocking b) {
    BlockingHandler h = handler;
    if (h != null && filter.admitBlocking(b.mode())) {
      h.blocking(this, b.mode());
    }
  }

  void abandon(DlmException why) {
    List<CompletableFuture<StatusBlock>> failed;
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
