package io.clustermd.dlm.actor;

import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.Lockspace;
import io.clustermd.dlm.api.LockspaceOps;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.api.WaiterFuture;
import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.cluster.DlmMessage;
import io.clustermd.dlm.core.cluster.LockspaceNode;
import io.clustermd.dlm.core.cluster.NodeEffect;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.Slot;
import io.clustermd.dlm.core.cluster.View;
import io.clustermd.dlm.core.link.Frame;
import io.clustermd.dlm.core.link.LinkEffect;
import io.clustermd.dlm.core.link.LinkOptions;
import io.clustermd.dlm.core.link.ReliableLink;
import io.clustermd.dlm.wire.WireCodec;
import io.clustermd.proto.dlm.LinkFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lockspace that spans the agents of an Akka cluster: the client API over one
 * {@link LockspaceNode} and one {@link ReliableLink} per peer.
 *
 * <p>The shell is a monitor, not an actor, so that a lock whose master is local costs no thread
 * hand-off: every input (a client call, a frame the {@link DlmManager} received, a tick, a view)
 * runs the core under this object's lock and executes the effects before releasing it. Frames are
 * handed to Artery inside the monitor, so each link's frames leave in sequence order; callbacks are
 * delivered outside it, per lock in order.
 */
public final class ClusterLockspace implements Lockspace {

  private static final Logger log = LoggerFactory.getLogger(ClusterLockspace.class);

  /** Shell settings (HOCON {@code clustermd.dlm}). */
  public record Options(LockspaceNode.Options node, LinkOptions link, long nodeTickMillis) {}

  /** A client operation on the core, run under the monitor. */
  @FunctionalInterface
  interface Operation {
    LockspaceNode.Result apply(LockspaceNode node, long now);
  }

  private final String name;
  private final int lvbLength;
  private final NodeId self;
  private final LockspaceNode node;
  private final Options options;
  private final LockspaceOps ops;
  private final Executor callbacks;
  private final SerialExecutor opsCallbacks;
  private final BiConsumer<NodeId, LinkFrame> outbound;
  private final DlmManager.Listener manager;
  private final long startNanos = System.nanoTime();

  private final Map<NodeId, ReliableLink<DlmMessage>> links = new HashMap<>();
  private final Map<LockId, ClusterLock> locks = new HashMap<>();
  private final CompletableFuture<ClusterLockspace> joined = new CompletableFuture<>();
  private final CompletableFuture<Void> left = new CompletableFuture<>();
  private long lastNodeTick;
  /** Why this lockspace is unusable here (removed, refused, left); null while it works. */
  private volatile String gone;

  ClusterLockspace(String name, int lvbLength, NodeId self, Options options, LockspaceOps ops, Executor callbacks,
      BiConsumer<NodeId, LinkFrame> outbound, DlmManager.Listener manager) {
    this.name = name;
    this.lvbLength = lvbLength;
    this.self = self;
    this.node = new LockspaceNode(self, name, lvbLength, options.node());
    this.options = options;
    this.ops = ops;
    this.callbacks = callbacks;
    this.opsCallbacks = new SerialExecutor(callbacks);
    this.outbound = outbound;
    this.manager = manager;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int lvbLength() {
    return lvbLength;
  }

  /** This node's member id in the lockspace. */
  public NodeId self() {
    return self;
  }

  /** Completes at the first recover_done (the join finished), or fails when the join was refused. */
  CompletableFuture<ClusterLockspace> joined() {
    return joined;
  }

  /** The current slot table and generation (as of the last recover_done). */
  public synchronized List<Slot> slots() {
    return node.slots();
  }

  public synchronized long generation() {
    return node.generation();
  }

  public synchronized String describe() {
    return node.describe();
  }

  // ---- client API -----------------------------------------------------------------------------

  @Override
  public DlmLock lock(LockRequest r) {
    ClusterLock lock;
    List<ClusterLock> touched = new ArrayList<>(2);
    synchronized (this) {
      ensureUsable();
      LockspaceNode.Result result =
          node.lock(r.resource(), r.mode(), r.flags(), r.lvb(), r.blocking() != null, now());
      LockspaceNode.Result.Accepted ok = accepted(result, r.resource().toString());
      lock = new ClusterLock(this, ok.lock(), r.resource(), r.lvb(), r.blocking(), r.nonBlockingCallbacks(), callbacks);
      locks.put(ok.lock(), lock);
      execute(ok.effects(), touched);
    }
    deliver(touched, lock);
    return lock;
  }

  void run(ClusterLock lock, WaiterFuture<StatusBlock> done, Operation op) {
    List<ClusterLock> touched = new ArrayList<>(2);
    synchronized (this) {
      ensureUsable();
      LockspaceNode.Result.Accepted ok = accepted(op.apply(node, now()), lock.toString());
      if (done != null) {
        lock.expect(done);
      }
      execute(ok.effects(), touched);
    }
    deliver(touched, lock);
  }

  /**
   * Leaves cleanly: releases every lock still held (their callers see EUNLOCK), then tells the
   * other members, which do not recover this node as failed (dlm.md §9.2).
   */
  public CompletionStage<Void> leave() {
    List<ClusterLock> touched = new ArrayList<>();
    synchronized (this) {
      if (gone != null) {
        return left;
      }
      execute(node.leave(now()), touched);
    }
    deliver(touched, null);
    return left;
  }

  /** Leave cleanly and wait, bounded, for it. */
  @Override
  public void close() {
    try {
      leave().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("dlm.leave.unfinished lockspace={} reason={}", name, e.toString());
    }
  }

  private void ensureUsable() {
    if (gone != null) {
      throw new DlmException(DlmError.EINVAL, "lockspace " + name + " is unusable here: " + gone);
    }
  }

  private static LockspaceNode.Result.Accepted accepted(LockspaceNode.Result result, String what) {
    if (result instanceof LockspaceNode.Result.Rejected no) {
      throw new DlmException(no.error(), no.reason() + " (" + what + ")");
    }
    return (LockspaceNode.Result.Accepted) result;
  }

  // ---- inputs from the manager ----------------------------------------------------------------

  void onFrame(NodeId from, Frame<DlmMessage> frame) {
    List<ClusterLock> touched = new ArrayList<>();
    synchronized (this) {
      if (gone != null) {
        return;
      }
      ReliableLink<DlmMessage> link = linkTo(from);
      if (link == null) {
        return;
      }
      linkEffects(from, link.receive(frame, now()), touched);
    }
    deliver(touched, null);
  }

  void onView(View view) {
    List<ClusterLock> touched = new ArrayList<>();
    synchronized (this) {
      if (gone != null) {
        return;
      }
      log.info("dlm.view lockspace={} members={} leftCleanly={}", name, view.members(), view.leftCleanly());
      execute(node.onView(view, now()), touched);
      links.keySet().removeIf(peer -> !view.contains(peer));
    }
    deliver(touched, null);
  }

  void onTick() {
    List<ClusterLock> touched = new ArrayList<>();
    synchronized (this) {
      if (gone != null) {
        return;
      }
      long now = now();
      for (Map.Entry<NodeId, ReliableLink<DlmMessage>> e : new ArrayList<>(links.entrySet())) {
        if (now >= e.getValue().nextDeadlineMillis()) {
          linkEffects(e.getKey(), e.getValue().tick(now), touched);
        }
      }
      if (now - lastNodeTick >= options.nodeTickMillis()) {
        lastNodeTick = now;
        execute(node.onTick(now), touched);
      }
    }
    deliver(touched, null);
  }

  /** This node can no longer act in the lockspace (removed from the cluster, or refused). */
  void abandon(String why) {
    List<ClusterLock> all;
    synchronized (this) {
      if (gone != null) {
        return;
      }
      gone = why;
      all = new ArrayList<>(locks.values());
      locks.clear();
      links.clear();
    }
    log.warn("dlm.lockspace.abandoned lockspace={} reason={}", name, why);
    DlmException e = new DlmException(DlmError.EINVAL, "lockspace " + name + " is unusable here: " + why);
    all.forEach(l -> l.abandon(e));
    joined.completeExceptionally(e);
    left.completeExceptionally(e);
    opsCallbacks.execute(() -> ops.removed(why));
  }

  // ---- effects --------------------------------------------------------------------------------

  private void execute(List<NodeEffect> effects, List<ClusterLock> touched) {
    for (NodeEffect e : effects) {
      if (e instanceof NodeEffect.Send s) {
        ReliableLink<DlmMessage> link = linkTo(s.to());
        if (link != null) {
          linkEffects(s.to(), link.send(s.message(), now()), touched);
        }
      } else if (e instanceof NodeEffect.Completed c) {
        ClusterLock l = target(c.lock(), e, touched);
        if (l != null && c.mode() == null) {
          locks.remove(c.lock());
        }
      } else if (e instanceof NodeEffect.Blocked b) {
        target(b.lock(), e, touched);
      } else if (e instanceof NodeEffect.Failed f) {
        target(f.lock(), e, touched);
      } else {
        lockspaceEffect(e);
      }
    }
  }

  private ClusterLock target(LockId id, NodeEffect e, List<ClusterLock> touched) {
    ClusterLock l = locks.get(id);
    if (l == null) {
      log.debug("dlm.effect.orphan lockspace={} effect={}", name, e);
      return null;
    }
    l.enqueue(e);
    if (!touched.contains(l)) {
      touched.add(l);
    }
    return l;
  }

  private void lockspaceEffect(NodeEffect e) {
    if (e instanceof NodeEffect.RecoverPrep) {
      log.info("dlm.recover.prep lockspace={} node={}", name, self);
      opsCallbacks.execute(ops::recoverPrep);
    } else if (e instanceof NodeEffect.RecoverSlot r) {
      log.info("dlm.recover.slot lockspace={} failed={} slot={}", name, r.node(), r.slot());
      opsCallbacks.execute(() -> ops.recoverSlot(r.node(), r.slot()));
    } else if (e instanceof NodeEffect.RecoverDone d) {
      log.info("dlm.recover.done lockspace={} generation={} ourSlot={} slots={}", name, d.generation(),
          d.ourSlot(), d.slots());
      opsCallbacks.execute(() -> ops.recoverDone(d.slots(), d.ourSlot(), d.generation()));
      opsCallbacks.execute(() -> joined.complete(this));
    } else if (e instanceof NodeEffect.JoinRefused j) {
      String why = "join refused: " + j.reason();
      gone = why;
      manager.forget(name);
      DlmException ex = new DlmException(DlmError.EINVAL, "lockspace " + name + ": " + why);
      joined.completeExceptionally(ex);
      opsCallbacks.execute(() -> ops.removed(why));
    } else if (e instanceof NodeEffect.ReadyToLeave) {
      log.info("dlm.leave lockspace={} node={}", name, self);
      gone = "left the lockspace";
      manager.leaving(name);
      left.complete(null);
    }
  }

  private ReliableLink<DlmMessage> linkTo(NodeId peer) {
    if (peer.equals(self)) {
      return null;
    }
    return links.computeIfAbsent(peer, p -> new ReliableLink<>(self.incarnation(), p.incarnation(), options.link()));
  }

  private void linkEffects(NodeId peer, List<LinkEffect<DlmMessage>> effects, List<ClusterLock> touched) {
    for (LinkEffect<DlmMessage> e : effects) {
      if (e instanceof LinkEffect.Transmit<DlmMessage> t) {
        outbound.accept(peer, WireCodec.encodeFrame(name, self, t.frame()));
      } else if (e instanceof LinkEffect.Deliver<DlmMessage> d) {
        execute(node.onMessage(peer, d.payload(), now()), touched);
      } else if (e instanceof LinkEffect.Dropped<DlmMessage> d) {
        log.debug("dlm.link.dropped lockspace={} peer={} frame={} reason={}", name, peer, d.frame(), d.reason());
      } else if (e instanceof LinkEffect.PeerUnresponsive<DlmMessage> u) {
        log.warn("dlm.link.unresponsive lockspace={} peer={} reason={} waitedMillis={} unacked={}", name, peer,
            u.reason(), u.waitedMillis(), u.unackedFrames());
      } else if (e instanceof LinkEffect.SendRefused<DlmMessage> r) {
        log.error("dlm.link.send-refused lockspace={} peer={} reason={} unacked={} message={}", name, peer,
            r.reason(), r.unackedFrames(), r.payload());
      } else if (e instanceof LinkEffect.PeerRestarted<DlmMessage> p) {
        log.warn("dlm.link.peer-restarted lockspace={} peer={} reason={}", name, peer, p.reason());
      }
    }
  }

  private static void deliver(List<ClusterLock> touched, ClusterLock initiator) {
    for (ClusterLock l : touched) {
      if (l != initiator) {
        l.scheduleDelivery();
      }
    }
    if (initiator != null && touched.contains(initiator)) {
      initiator.deliverInline();
    }
  }

  private long now() {
    return (System.nanoTime() - startNanos) / 1_000_000 + 1;
  }

  @Override
  public String toString() {
    return "lockspace " + name + " at " + self;
  }
}
