package io.clustermd.dlm.actor;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.remote.RARP;
import akka.remote.transport.ThrottlerTransportAdapter;
import scala.jdk.javaapi.FutureConverters;

/**
 * Network partitions between ActorSystems of one JVM through Artery's test mode
 * ({@code akka.remote.artery.advanced.test-mode = on}, reference/akka.md §3b). Internal Akka API,
 * kept in test code.
 */
final class Blackhole {
  private Blackhole() {}

  /**
   * Drops everything between {@code from} and {@code peer}, both directions, on {@code from}'s
   * transports: Artery's and the DLM's own frame transport of {@code dlm}, which runs on {@code from}.
   */
  static void cut(ActorSystem<?> from, Dlm dlm, Address peer) {
    command(from, new ThrottlerTransportAdapter.SetThrottle(peer, ThrottlerTransportAdapter.bothDirection(),
        ThrottlerTransportAdapter.blackholeThrottleMode()));
    dlm.transport().ifPresent(t -> t.cut(peer.toString()));
  }

  static void heal(ActorSystem<?> from, Dlm dlm, Address peer) {
    command(from, new ThrottlerTransportAdapter.SetThrottle(peer, ThrottlerTransportAdapter.bothDirection(),
        ThrottlerTransportAdapter.unthrottledThrottleMode()));
    dlm.transport().ifPresent(t -> t.heal(peer.toString()));
  }

  private static void command(ActorSystem<?> system, Object cmd) {
    RARP rarp = (RARP) RARP.get(system.classicSystem());
    FutureConverters.asJava(rarp.provider().transport().managementCommand(cmd)).toCompletableFuture().join();
  }
}
