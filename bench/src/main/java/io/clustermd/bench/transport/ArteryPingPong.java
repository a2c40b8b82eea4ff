package io.clustermd.bench.transport;

import io.clustermd.bench.Samples;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.clustermd.proto.bench.RoundTripProbe;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The transport's floor, measured the way {@code reference/akka.md} (LatencyBenchTest) measured it: two
 * ActorSystems in this JVM, Artery TCP on 127.0.0.1, a pinger actor that sends the next protobuf probe when
 * the previous one came back from a ponger actor. No thread waits on a future and no clustermd code is on
 * the path, so this is the least an Akka round trip costs on this machine today; the DLM and the broadcast
 * benchmarks are bounded by it.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.clustermd.bench.transport.ArteryPingPong --round-trips 5000 --rounds 5</pre>
 */
@Command(name = "artery-ping-pong", mixinStandardHelpOptions = true,
    description = "Actor-to-actor Artery round trip between two ActorSystems in this JVM (reference/akka.md's setup).")
public final class ArteryPingPong implements Callable<Integer> {

  @Option(names = "--round-trips", defaultValue = "5000", description = "Round trips per round (default: ${DEFAULT-VALUE}).")
  int roundTrips;

  @Option(names = "--rounds", defaultValue = "5", description = "Rounds; the first is warm-up (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--akka", defaultValue = "", description = "HOCON laid over both systems' config (default: none).")
  String akka;

  @Option(names = "--timeout-seconds", defaultValue = "120", description = "Bound on every wait (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ArteryPingPong()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (roundTrips < 100 || rounds < 2) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "need --round-trips >= 100 and --rounds >= 2 (the first round is warm-up); got " + roundTrips + " and " + rounds);
    }
    Config config = ConfigFactory.parseString(akka)
        .withFallback(ConfigFactory.parseString("""
            akka {
              loglevel = WARNING
              actor.provider = cluster
              remote.artery { transport = tcp, canonical.hostname = "127.0.0.1", canonical.port = 0 }
              cluster.jmx.multi-mbeans-in-same-jvm = on
              coordinated-shutdown.exit-jvm = off
            }
            """))
        .withFallback(ConfigFactory.load());
    ActorSystem<Void> a = ActorSystem.create(Behaviors.empty(), "pingpong", config);
    ActorSystem<Void> b = ActorSystem.create(Behaviors.empty(), "pingpong", config);
    try {
      Cluster.get(a).manager().tell(Join.create(Cluster.get(a).selfMember().address()));
      Cluster.get(b).manager().tell(Join.create(Cluster.get(a).selfMember().address()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      while (up(a) < 2 || up(b) < 2) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the two ActorSystems did not form a cluster within " + timeoutSeconds + " s");
        }
        Thread.sleep(50);
      }
      ActorRef<RoundTripProbe> pong = b.systemActorOf(echo(ActorRefResolver.get(b)), "pong", Props.empty());
      ActorRef<RoundTripProbe> pongFromA = ActorRefResolver.get(a).resolveActorRef(ActorRefResolver.get(b).toSerializationFormat(pong));
      System.out.printf(Locale.ROOT, "load average at start: %s%n", Samples.loadAverage());
      for (int round = 0; round < rounds; round++) {
        CompletableFuture<long[]> done = new CompletableFuture<>();
        a.systemActorOf(pinger(pongFromA, ActorRefResolver.get(a), done), "ping-" + round, Props.empty());
        long[] nanos = done.get(timeoutSeconds, TimeUnit.SECONDS);
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "round %d%s: %d round trips, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms%n", round,
            round == 0 ? " (warm-up)" : "", roundTrips, Samples.quantile(nanos, 0.5) / 1e6, Samples.quantile(nanos, 0.9) / 1e6,
            Samples.quantile(nanos, 0.99) / 1e6);
      }
      System.out.printf(Locale.ROOT, "load average at end: %s%n", Samples.loadAverage());
      return 0;
    } finally {
      a.terminate();
      b.terminate();
      a.getWhenTerminated().toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
      b.getWhenTerminated().toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
    }
  }

  /** Sends every probe back to the actor its {@code reply_to} names (resolved once per name). */
  public static Behavior<RoundTripProbe> echo(ActorRefResolver resolver) {
    Map<String, ActorRef<RoundTripProbe>> replies = new HashMap<>();
    return Behaviors.receive(RoundTripProbe.class)
        .onMessage(RoundTripProbe.class, p -> {
          replies.computeIfAbsent(p.getReplyTo(), resolver::resolveActorRef).tell(p);
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<RoundTripProbe> pinger(ActorRef<RoundTripProbe> pong, ActorRefResolver resolver, CompletableFuture<long[]> done) {
    return Behaviors.setup(ctx -> {
      long[] nanos = new long[roundTrips];
      String self = resolver.toSerializationFormat(ctx.getSelf());
      int[] n = {0};
      long[] sentAt = {System.nanoTime()};
      pong.tell(RoundTripProbe.newBuilder().setSeq(0).setReplyTo(self).build());
      return Behaviors.receive(RoundTripProbe.class)
          .onMessage(RoundTripProbe.class, p -> {
            nanos[n[0]++] = System.nanoTime() - sentAt[0];
            if (n[0] == roundTrips) {
              done.complete(nanos);
              return Behaviors.stopped();
            }
            sentAt[0] = System.nanoTime();
            pong.tell(RoundTripProbe.newBuilder().setSeq(n[0]).setReplyTo(self).build());
            return Behaviors.same();
          })
          .build();
    });
  }

  /** Members this system sees Up. */
  private static long up(ActorSystem<?> system) {
    return java.util.stream.StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }


}
