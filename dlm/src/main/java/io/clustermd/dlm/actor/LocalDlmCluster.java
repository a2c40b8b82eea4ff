package io.clustermd.dlm.actor;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Several cluster nodes in this JVM, each an ActorSystem on loopback with a {@link Dlm}: the local
 * mode's lock service, the benchmarks' and the tests' cluster. Every node uses the same system name
 * (it is part of the address) and a free port.
 */
public final class LocalDlmCluster implements AutoCloseable {

  public static final String SYSTEM_NAME = "clustermd";

  private final List<ActorSystem<Void>> systems = new ArrayList<>();
  private final List<Dlm> dlms = new ArrayList<>();

  private LocalDlmCluster() {}

  /**
   * Starts {@code nodes} nodes with the failure-detection profile {@code profile}
   * ({@link Profiles}) plus {@code extra} HOCON, and waits (bounded by {@code upWithin}) until
   * every node sees every other Up.
   */
  public static LocalDlmCluster start(int nodes, String profile, String extra, Duration upWithin) {
    LocalDlmCluster c = new LocalDlmCluster();
    try {
      for (int i = 0; i < nodes; i++) {
        c.addNode(profile, extra);
      }
      c.awaitUp(upWithin);
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The HOCON of a node of this local cluster (loopback, free port, SLF4J logging). */
  public static Config nodeConfig(String profile, String extra) {
    return ConfigFactory.parseString(extra == null ? "" : extra)
        .withFallback(Profiles.load(profile))
        .withFallback(ConfigFactory.parseString("""
            akka {
              loglevel = INFO
              loggers = ["akka.event.slf4j.Slf4jLogger"]
              logging-filter = "akka.event.slf4j.Slf4jLoggingFilter"
              log-dead-letters-during-shutdown = off
              actor.provider = cluster
              remote.artery {
                transport = tcp
                canonical.hostname = "127.0.0.1"
                canonical.port = 0
              }
              cluster.jmx.multi-mbeans-in-same-jvm = on
              coordinated-shutdown.exit-jvm = off
            }
            """))
        .withFallback(ConfigFactory.load());
  }

  /** Adds a node that joins the first one; returns its index. */
  public int addNode(String profile, String extra) {
    ActorSystem<Void> sys = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, nodeConfig(profile, extra));
    Cluster cluster = Cluster.get(sys);
    cluster.manager().tell(Join.create(systems.isEmpty()
        ? cluster.selfMember().address()
        : Cluster.get(systems.get(0)).selfMember().address()));
    systems.add(sys);
    dlms.add(Dlm.start(sys));
    return systems.size() - 1;
  }

  /** Waits until every running node sees all running nodes Up. */
  public void awaitUp(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!allUp()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("cluster of " + systems.size() + " nodes not Up within " + within);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the cluster", e);
      }
    }
  }

  private boolean allUp() {
    int running = 0;
    for (ActorSystem<Void> s : systems) {
      if (!s.whenTerminated().isCompleted()) {
        running++;
      }
    }
    for (ActorSystem<Void> s : systems) {
      if (s.whenTerminated().isCompleted()) {
        continue;
      }
      int up = 0;
      for (akka.cluster.Member m : Cluster.get(s).state().getMembers()) {
        if (m.status() == MemberStatus.up()) {
          up++;
        }
      }
      if (up != running) {
        return false;
      }
    }
    return true;
  }

  public int size() {
    return systems.size();
  }

  public ActorSystem<Void> system(int i) {
    return systems.get(i);
  }

  public Dlm dlm(int i) {
    return dlms.get(i);
  }

  @Override
  public void close() {
    for (ActorSystem<Void> s : systems) {
      s.terminate();
    }
    for (ActorSystem<Void> s : systems) {
      try {
        s.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        // Best effort: a node that does not stop in time is left to the JVM's exit.
      }
    }
  }
}
