package io.clustermd.bench.recovery;

import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.Subscribe;
import io.clustermd.dlm.actor.ClusterLockspace;
import io.clustermd.dlm.actor.Dlm;
import io.clustermd.dlm.actor.LocalDlmCluster;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.LockspaceOps;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.cluster.Slot;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One DLM agent in its own JVM for {@link RecoveryTiming}: joins lockspace "md0", takes an EX
 * lock on a resource named after itself (so it holds and masters a lock when it is killed), and
 * prints {@code RECOVER_DONE members=<n> wallMillis=<t>} at every recover_done.
 *
 * <p>args: {@code <profile> <seed address|self> <name> [<HOCON laid over the profile>]}
 */
public final class RecoveryNode {
  private RecoveryNode() {}

  public static void main(String[] args) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      ActorRef<ClusterEvent.ClusterDomainEvent> timeline = ctx.spawn(Behaviors.receiveMessage(e -> {
        printTimeline(e);
        return Behaviors.same();
      }), "timeline");
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(timeline, ClusterEvent.ClusterDomainEvent.class));
      return Behaviors.empty();
    }), LocalDlmCluster.SYSTEM_NAME,
        LocalDlmCluster.nodeConfig(args[0],
            (args.length > 3 ? args[3] : "") + "\nakka.coordinated-shutdown.exit-jvm = on\nakka.loglevel = WARNING"));
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(
        args[1].equals("self") ? cluster.selfMember().address() : AddressFromURIString.parse(args[1])));
    System.out.println("READY " + cluster.selfMember().address());
    LockspaceOps ops = new LockspaceOps() {
      @Override
      public void recoverDone(List<Slot> slots, int ourSlot, long generation) {
        System.out.println("RECOVER_DONE members=" + slots.size() + " wallMillis=" + System.currentTimeMillis());
      }
    };
    ClusterLockspace ls = Dlm.start(system).join("md0", 64, ops).toCompletableFuture().get(120, TimeUnit.SECONDS);
    ls.lock(LockRequest.of("held-by-" + args[2], LockMode.EX)).requested().toCompletableFuture().get(60, TimeUnit.SECONDS);
    System.out.println("HOLDING");
  }

  /** {@code AKKA unreachable|downed|removed <address> wallMillis=<t>}: the Akka share of a recovery. */
  private static void printTimeline(ClusterEvent.ClusterDomainEvent e) {
    String what;
    Address who;
    if (e instanceof ClusterEvent.UnreachableMember u) {
      what = "unreachable";
      who = u.member().address();
    } else if (e instanceof ClusterEvent.MemberDowned d) {
      what = "downed";
      who = d.member().address();
    } else if (e instanceof ClusterEvent.MemberRemoved r) {
      what = "removed";
      who = r.member().address();
    } else {
      return;
    }
    System.out.println("AKKA " + what + " " + who + " wallMillis=" + System.currentTimeMillis());
  }
}
