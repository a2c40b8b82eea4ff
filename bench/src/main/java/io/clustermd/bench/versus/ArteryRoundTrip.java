package io.clustermd.bench.versus;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import io.clustermd.bench.transport.ArteryPingPong;
import io.clustermd.proto.bench.RoundTripProbe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bare Akka round trip that case (b) is held against (issue 3: "p50 under 1.5 Akka round
 * trips"): a small protobuf message told from a plain thread on n1 to an echo actor on n2, sent
 * back to an actor on n1 that completes the future the thread waits on. The same ActorSystems,
 * transport, serializer family and waiting as a DLM client's remote request, minus the DLM.
 */
final class ArteryRoundTrip implements LockServiceBackend.RoundTrip {

  private final ActorRef<RoundTripProbe> echo;
  private final String replyTo;
  private final long waitMillisMax;
  private volatile CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);
  private volatile long pendingSeq;
  private long seq;

  /** Spawns the echo on {@code to} and the reply actor on {@code from}. */
  ArteryRoundTrip(ActorSystem<?> from, ActorSystem<?> to, long waitMillisMax) {
    this.waitMillisMax = waitMillisMax;
    ActorRef<RoundTripProbe> echoRef = to.systemActorOf(ArteryPingPong.echo(ActorRefResolver.get(to)), "versus-echo", Props.empty());
    ActorRef<RoundTripProbe> reply = from.systemActorOf(Behaviors.receive(RoundTripProbe.class)
        .onMessage(RoundTripProbe.class, p -> {
          if (p.getSeq() == pendingSeq) {
            pending.complete(null);
          }
          return Behaviors.same();
        })
        .build(), "versus-round-trip", Props.empty());
    ActorRefResolver fromResolver = ActorRefResolver.get(from);
    this.replyTo = fromResolver.toSerializationFormat(reply);
    this.echo = fromResolver.resolveActorRef(ActorRefResolver.get(to).toSerializationFormat(echoRef));
  }

  @Override
  public void once() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    pending = done;
    pendingSeq = ++seq;
    echo.tell(RoundTripProbe.newBuilder().setSeq(seq).setReplyTo(replyTo).build());
    try {
      done.get(waitMillisMax, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException("Artery round trip " + seq + " did not come back within " + waitMillisMax + " ms");
    }
  }

  @Override
  public String note() {
    return "protobuf message told from a thread on n1 to an echo actor on n2 and back to an actor on n1 that "
        + "completes the future the thread waits on; no DLM code on the path";
  }
}
