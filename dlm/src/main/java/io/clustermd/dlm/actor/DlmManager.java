package io.clustermd.dlm.actor;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfRemoved;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import com.google.protobuf.Message;
import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.LockspaceOps;
import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.membership.HostTable;
import io.clustermd.dlm.transport.FrameTransport;
import io.clustermd.dlm.wire.WireCodec;
import io.clustermd.dlm.wire.WireException;
import io.clustermd.proto.dlm.HostQuery;
import io.clustermd.proto.dlm.Hosted;
import io.clustermd.proto.dlm.HostedLockspace;
import io.clustermd.proto.dlm.LinkFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The DLM's actor on each agent ({@code /system/clustermd-dlm}): it learns which agents host which
 * lockspaces ({@link HostTable}), turns Akka Cluster membership into lockspace views, routes link
 * frames to the local {@link ClusterLockspace}, and ticks the lockspaces. A lockspace's view loses
 * a crashed agent only when Akka removed it (after the split brain resolver downed it); an agent
 * that is downed itself abandons its lockspaces at once.
 */
public final class DlmManager extends AbstractBehavior<DlmManager.Command> {

  public static final String NAME = "clustermd-dlm";

  /** What the lockspaces tell their manager (from inside their monitor: tells only). */
  interface Listener {
    void leaving(String lockspace);

    void forget(String lockspace);
  }

  public sealed interface Command {}

  /** A protobuf message from another agent (LinkFrame, Hosted, HostQuery); see {@link WireSerializer}. */
  public record Wire(Message message) implements Command {}

  record Join(String lockspace, int lvbLength, LockspaceOps ops, CompletableFuture<ClusterLockspace> result)
      implements Command {}

  record Leaving(String lockspace) implements Command {}

  record Forget(String lockspace) implements Command {}

  private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

  private record BecameUp(SelfUp up) implements Command {}

  private record WasRemoved(SelfRemoved removed) implements Command {}

  private enum Tick implements Command { INSTANCE }

  private enum Announce implements Command { INSTANCE }

  private record JoinTimedOut(String lockspace, long queryId) implements Command {}

  private final DlmSettings settings;
  private final Executor callbacks;
  private final TimerScheduler<Command> timers;
  private final ActorRefResolver resolver;
  private final String selfKey;
  private final HostTable table = new HostTable();
  /** Shared with the frame transport's I/O thread, which delivers frames to the lockspaces. */
  private final Map<String, ClusterLockspace> lockspaces;
  /** Null when link frames travel over Artery only. */
  private final FrameTransport transport;
  private final Map<String, ActorRef<Command>> agents = new HashMap<>();
  /** Frames go out from client threads too: resolved refs by agent key, thread-safe. */
  private final Map<String, ActorRef<Command>> refsByKey = new ConcurrentHashMap<>();
  private final List<Join> waitingForUp = new ArrayList<>();
  private final Map<String, CompletableFuture<ClusterLockspace>> joining = new HashMap<>();
  private boolean up;
  private boolean removed;
  private long ticks;

  /**
   * {@code lockspaces} is the routing table this manager fills and {@code transport} (null for
   * Artery only) delivers into, through {@link #deliver}.
   */
  static Behavior<Command> create(DlmSettings settings, Executor callbacks, Map<String, ClusterLockspace> lockspaces,
      FrameTransport transport) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new DlmManager(ctx, timers, settings, callbacks, lockspaces, transport)));
  }

  private DlmManager(ActorContext<Command> ctx, TimerScheduler<Command> timers, DlmSettings settings,
      Executor callbacks, Map<String, ClusterLockspace> lockspaces, FrameTransport transport) {
    super(ctx);
    this.settings = settings;
    this.callbacks = callbacks;
    this.lockspaces = lockspaces;
    this.transport = transport;
    this.timers = timers;
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    Cluster cluster = Cluster.get(ctx.getSystem());
    this.selfKey = agentKey(cluster.selfMember());
    cluster.subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new), ClusterEvent.MemberEvent.class));
    cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfUp.class, BecameUp::new), SelfUp.class));
    cluster.subscriptions().tell(
        Subscribe.create(ctx.messageAdapter(SelfRemoved.class, WasRemoved::new), SelfRemoved.class));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(settings.tickMillis()));
    timers.startTimerWithFixedDelay(Announce.INSTANCE, Duration.ofMillis(settings.announceMillis()));
  }

  /** An agent's identity: its Akka address and member uid (a restarted agent is another key). */
  static String agentKey(Member m) {
    return m.uniqueAddress().address().toString() + "#" + m.uniqueAddress().longUid();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Wire.class, this::onWire)
        .onMessage(Join.class, this::onJoin)
        .onMessage(Leaving.class, this::onLeaving)
        .onMessage(Forget.class, this::onForget)
        .onMessage(MemberChanged.class, this::onMemberChanged)
        .onMessage(BecameUp.class, this::onUp)
        .onMessage(WasRemoved.class, this::onRemoved)
        .onMessage(JoinTimedOut.class, this::onJoinTimedOut)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(Announce.INSTANCE, this::onAnnounce)
        .build();
  }

  // ---- wire -----------------------------------------------------------------------------------

  private Behavior<Command> onWire(Wire w) {
    try {
      if (w.message() instanceof LinkFrame f) {
        deliver(lockspaces, f);
      } else if (w.message() instanceof Hosted h) {
        if (transport != null) {
          transport.learn(h.getSenderAddress(), h.getFrameEndpoint());
        }
        List<HostTable.Entry> entries = new ArrayList<>(h.getLockspacesCount());
        for (HostedLockspace e : h.getLockspacesList()) {
          entries.add(new HostTable.Entry(e.getName(), WireCodec.node(e.getMember()), e.getLvbLength(), e.getLeaving()));
        }
        apply(table.hosted(h.getSenderAddress(), h.getSeq(), h.getQueryId(), entries));
      } else if (w.message() instanceof HostQuery q) {
        ActorRef<Command> to = refFor(q.getSenderAddress());
        if (to != null) {
          to.tell(new Wire(hosted(q.getQueryId())));
        }
      }
    } catch (WireException e) {
      getContext().getLog().warn("dlm.wire.refused message={} reason={}", w.message().getClass().getSimpleName(),
          e.getMessage());
    }
    return this;
  }

  /** Hands a link frame to its lockspace, from Artery (this actor) or the frame transport's thread. */
  static void deliver(Map<String, ClusterLockspace> lockspaces, LinkFrame f) throws WireException {
    ClusterLockspace ls = lockspaces.get(f.getLockspace());
    if (ls != null) {
      ls.onFrame(WireCodec.node(f.getSender()), WireCodec.decodeFrame(f));
    }
  }

  private Hosted hosted(long queryId) {
    Hosted.Builder b = Hosted.newBuilder().setSenderAddress(selfKey).setSeq(table.localSeq()).setQueryId(queryId);
    if (transport != null) {
      b.setFrameEndpoint(transport.endpoint());
    }
    for (HostTable.Entry e : table.localTable()) {
      b.addLockspaces(HostedLockspace.newBuilder().setName(e.lockspace()).setMember(WireCodec.node(e.member()))
          .setLvbLength(e.lvbLength()).setLeaving(e.leaving()));
    }
    return b.build();
  }

  private void announce() {
    Hosted h = hosted(0);
    for (ActorRef<Command> a : agents.values()) {
      a.tell(new Wire(h));
    }
  }

  private void apply(List<HostTable.ViewChange> changes) {
    for (HostTable.ViewChange c : changes) {
      ClusterLockspace ls = lockspaces.get(c.lockspace());
      if (ls != null) {
        ls.onView(c.view());
      }
    }
  }

  // ---- joins and leaves -----------------------------------------------------------------------

  private Behavior<Command> onJoin(Join j) {
    if (removed) {
      j.result().completeExceptionally(new DlmException(DlmError.EINVAL, "this agent was removed from the cluster"));
    } else if (lockspaces.containsKey(j.lockspace())) {
      j.result().completeExceptionally(new DlmException(DlmError.EBUSY,
          "lockspace " + j.lockspace() + " is already joined on this agent"));
    } else if (!up) {
      waitingForUp.add(j);
    } else {
      startJoin(j);
    }
    return this;
  }

  private void startJoin(Join j) {
    NodeId member = new NodeId(selfKey, ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
    ClusterLockspace ls = new ClusterLockspace(j.lockspace(), j.lvbLength(), member, settings.lockspaceOptions(),
        j.ops(), callbacks, this::sendFrame, listener());
    lockspaces.put(j.lockspace(), ls);
    long queryId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    Set<String> ask = table.join(new HostTable.Entry(j.lockspace(), member, j.lvbLength(), false), queryId);
    getContext().getLog().info("dlm.join.start lockspace={} member={} lvbLength={} asking={}", j.lockspace(), member,
        j.lvbLength(), ask);
    ls.joined().whenComplete((ok, failed) -> {
      if (failed == null) {
        j.result().complete(ok);
      } else {
        j.result().completeExceptionally(failed);
      }
    });
    joining.put(j.lockspace(), ls.joined());
    timers.startSingleTimer("join-" + j.lockspace(), new JoinTimedOut(j.lockspace(), queryId),
        Duration.ofMillis(settings.joinTimeoutMillis()));
    query(j.lockspace());
    announce();
    apply(table.recompute());
  }

  private void query(String lockspace) {
    HostQuery q = HostQuery.newBuilder().setSenderAddress(selfKey).setQueryId(table.queryIdOf(lockspace)).build();
    for (String agent : table.awaitingAnswers(lockspace)) {
      ActorRef<Command> to = agents.get(agent);
      if (to != null) {
        to.tell(new Wire(q));
      }
    }
  }

  private Behavior<Command> onJoinTimedOut(JoinTimedOut t) {
    ClusterLockspace ls = lockspaces.get(t.lockspace());
    CompletableFuture<ClusterLockspace> f = joining.remove(t.lockspace());
    if (ls == null || f == null || f.isDone()) {
      return this;
    }
    Set<String> silent = table.awaitingAnswers(t.lockspace());
    String why = silent.isEmpty()
        ? "recovery did not finish within " + settings.joinTimeoutMillis() + " ms: " + ls.describe()
        : "no answer within " + settings.joinTimeoutMillis() + " ms from agents " + silent;
    ls.abandon("join timed out: " + why);
    forget(t.lockspace());
    return this;
  }

  private Behavior<Command> onLeaving(Leaving l) {
    table.leaving(l.lockspace());
    announce();
    forget(l.lockspace());
    announce();
    return this;
  }

  private Behavior<Command> onForget(Forget f) {
    forget(f.lockspace());
    announce();
    return this;
  }

  private void forget(String lockspace) {
    lockspaces.remove(lockspace);
    joining.remove(lockspace);
    table.forget(lockspace);
    timers.cancel("join-" + lockspace);
  }

  private Listener listener() {
    ActorRef<Command> self = getContext().getSelf();
    return new Listener() {
      @Override
      public void leaving(String lockspace) {
        self.tell(new Leaving(lockspace));
      }

      @Override
      public void forget(String lockspace) {
        self.tell(new Forget(lockspace));
      }
    };
  }

  // ---- membership -----------------------------------------------------------------------------

  private Behavior<Command> onMemberChanged(MemberChanged m) {
    Member member = m.event().member();
    String key = agentKey(member);
    if (key.equals(selfKey)) {
      if (m.event() instanceof ClusterEvent.MemberDowned) {
        abandonAll("this agent was downed by the cluster (split brain resolver or operator)");
      }
      return this;
    }
    if (m.event() instanceof ClusterEvent.MemberRemoved) {
      agents.remove(key);
      refsByKey.remove(key);
      if (transport != null) {
        transport.forget(key);
      }
      getContext().getLog().info("dlm.agent.removed agent={}", key);
      apply(table.memberRemoved(key));
      joinsProgressed();
    } else if (member.status() == MemberStatus.up() || member.status() == MemberStatus.leaving()
        || member.status() == MemberStatus.exiting()) {
      if (!agents.containsKey(key)) {
        ActorRef<Command> ref = refFor(key);
        agents.put(key, ref);
        ref.tell(new Wire(hosted(0)));
      }
      apply(table.memberUp(key));
    }
    return this;
  }

  private void joinsProgressed() {
    apply(table.recompute());
  }

  private Behavior<Command> onUp(BecameUp u) {
    up = true;
    getContext().getLog().info("dlm.agent.up agent={}", selfKey);
    List<Join> pending = new ArrayList<>(waitingForUp);
    waitingForUp.clear();
    pending.forEach(this::onJoin);
    return this;
  }

  private Behavior<Command> onRemoved(WasRemoved r) {
    abandonAll("this agent was removed from the cluster");
    return this;
  }

  private void abandonAll(String why) {
    if (removed) {
      return;
    }
    removed = true;
    for (ClusterLockspace ls : new ArrayList<>(lockspaces.values())) {
      ls.abandon(why);
    }
    lockspaces.clear();
    for (Join j : waitingForUp) {
      j.result().completeExceptionally(new DlmException(DlmError.EINVAL, why));
    }
    waitingForUp.clear();
  }

  // ---- timers ---------------------------------------------------------------------------------

  private Behavior<Command> onTick() {
    for (ClusterLockspace ls : lockspaces.values()) {
      ls.onTick();
    }
    if (++ticks % Math.max(1, settings.queryRetryMillis() / settings.tickMillis()) == 0) {
      for (String name : lockspaces.keySet()) {
        if (!table.awaitingAnswers(name).isEmpty()) {
          query(name);
        }
      }
    }
    return this;
  }

  private Behavior<Command> onAnnounce() {
    announce();
    return this;
  }

  // ---- frames ---------------------------------------------------------------------------------

  /**
   * Called from any thread (inside a lockspace's monitor): hands a frame to the frame transport, or
   * to Artery when the transport cannot take it now.
   */
  private void sendFrame(NodeId to, LinkFrame frame) {
    if (transport != null && transport.send(to.name(), frame)) {
      return;
    }
    ActorRef<Command> ref = refFor(to.name());
    if (ref != null) {
      ref.tell(new Wire(frame));
    }
  }

  private ActorRef<Command> refFor(String key) {
    return refsByKey.computeIfAbsent(key, k -> {
      int hash = k.lastIndexOf('#');
      String address = hash < 0 ? k : k.substring(0, hash);
      return resolver.resolveActorRef(address + "/system/" + NAME);
    });
  }
}
