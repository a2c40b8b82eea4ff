package io.clustermd.dlm.actor;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.Lockspace;
import io.clustermd.dlm.api.LockspaceOps;
import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.transport.FrameTransport;
import io.clustermd.dlm.transport.TransportSettings;
import io.clustermd.dlm.wire.WireException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distributed lock manager of one agent: start it once per ActorSystem (a cluster node), then
 * join lockspaces. Joining completes at the lockspace's first recover_done; the lockspace spans
 * every agent that joined it.
 *
 * <pre>{@code
 * Dlm dlm = Dlm.start(system);
 * ClusterLockspace ls = dlm.join("md0-uuid", 64, ops).toCompletableFuture().get(60, SECONDS);
 * DlmLock token = ls.lock(LockRequest.of("token", LockMode.EX));
 * }</pre>
 */
public final class Dlm {

  private static final Logger LOG = LoggerFactory.getLogger(Dlm.class);

  private final ActorSystem<?> system;
  private final ActorRef<DlmManager.Command> manager;
  private final DlmSettings settings;
  private final ExecutorService callbacks;
  private final FrameTransport transport;

  private Dlm(ActorSystem<?> system, DlmSettings settings) {
    this.system = system;
    this.settings = settings;
    Member self = Cluster.get(system).selfMember();
    String selfKey = DlmManager.agentKey(self);
    Map<String, ClusterLockspace> lockspaces = new ConcurrentHashMap<>();
    this.transport = startTransport(settings.transport(), self, selfKey, lockspaces);
    AtomicInteger n = new AtomicInteger();
    this.callbacks = Executors.newFixedThreadPool(settings.callbackThreads(), r -> {
      Thread t = new Thread(r, "clustermd-dlm-callbacks-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.manager = system.systemActorOf(DlmManager.create(settings, callbacks, lockspaces, transport),
        DlmManager.NAME, Props.empty());
    system.getWhenTerminated().thenRun(() -> {
      callbacks.shutdown();
      if (transport != null) {
        transport.close();
      }
    });
  }

  private static FrameTransport startTransport(TransportSettings settings, Member self, String selfKey,
      Map<String, ClusterLockspace> lockspaces) {
    if (settings.kind() == TransportSettings.Kind.ARTERY) {
      return null;
    }
    String host = settings.hostname().isEmpty() ? self.address().getHost().orElse("127.0.0.1") : settings.hostname();
    try {
      return FrameTransport.start(settings, host, selfKey, (from, frame) -> {
        try {
          DlmManager.deliver(lockspaces, frame);
        } catch (WireException e) {
          LOG.warn("dlm.wire.refused message=LinkFrame agent={} reason={}", from, e.getMessage());
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /**
   * The DLM's own frame transport, or empty with {@code clustermd.dlm.transport.kind = artery}
   * (tests cut it beside Artery's blackhole to partition agents).
   */
  public Optional<FrameTransport> transport() {
    return Optional.ofNullable(transport);
  }

  /** Starts the DLM on this cluster node with the settings under {@code clustermd.dlm}. */
  public static Dlm start(ActorSystem<?> system) {
    return new Dlm(system, DlmSettings.from(system.settings().config()));
  }

  public DlmSettings settings() {
    return settings;
  }

  /**
   * Joins (creating, if this is the first agent) the lockspace {@code name} with LVBs of
   * {@code lvbLength} bytes. Fails when another member uses a different LVB length, when this
   * agent already joined it, or when the join does not finish within {@code join-timeout}.
   */
  public CompletionStage<ClusterLockspace> join(String name, int lvbLength, LockspaceOps ops) {
    int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (nameBytes == 0 || nameBytes > Lockspace.MAX_NAME_LENGTH) {
      throw new DlmException(DlmError.EINVAL,
          "lockspace name is " + nameBytes + " bytes; it must be 1 to " + Lockspace.MAX_NAME_LENGTH);
    }
    if (lvbLength < 0 || lvbLength % 8 != 0) {
      throw new DlmException(DlmError.EINVAL, "LVB length " + lvbLength + " must be a non-negative multiple of 8");
    }
    CompletableFuture<ClusterLockspace> result = new CompletableFuture<>();
    manager.tell(new DlmManager.Join(name, lvbLength, ops == null ? LockspaceOps.NONE : ops, result));
    return result;
  }

  /** Leaves {@code lockspace} cleanly when the ActorSystem shuts down gracefully (SIGTERM, leave). */
  public void leaveOnShutdown(ClusterLockspace lockspace) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(),
        "clustermd-dlm-leave-" + lockspace.name(),
        () -> lockspace.leave().handle((ok, failed) -> Done.getInstance()));
  }
}
