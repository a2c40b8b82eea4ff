package io.clustermd.messaging.process;

import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.actor.ClusterLockspace;
import io.clustermd.dlm.actor.Dlm;
import io.clustermd.dlm.actor.LocalDlmCluster;
import io.clustermd.dlm.api.LockspaceOps;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.Slot;
import io.clustermd.messaging.Communicator;
import io.clustermd.messaging.core.CommOptions;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.Message;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One md-cluster node's communication in its own JVM (test support until the agent exists): an Akka
 * cluster member, the DLM, the array lockspace (LVB 64) and a {@link Communicator}, driven line by
 * line on stdin and reporting on stdout.
 *
 * <pre>
 * args: &lt;profile&gt; &lt;seed address or "self"&gt; &lt;array lockspace&gt; &lt;md slots&gt; &lt;lock wait ms&gt;
 * in:   send &lt;tag&gt; &lt;raid slot&gt;   (a METADATA_UPDATED)      holdtoken &lt;tag&gt;   sendheld &lt;tag&gt; &lt;raid slot&gt;
 *       releasetoken &lt;tag&gt;   hang (the handler stops completing)   prompt (it completes at once again)   exit
 * out:  READY &lt;address&gt;   COMM_READY slot=&lt;md slot&gt;   RECEIVED seq=&lt;n&gt; from=&lt;slot&gt; &lt;message&gt;
 *       PROCESSED seq=&lt;n&gt; from=&lt;slot&gt;   SENT &lt;tag&gt; seq=&lt;n&gt;   SEND_FAILED &lt;tag&gt; &lt;why&gt;   TOKEN_HELD &lt;tag&gt;
 *       TOKEN_RELEASED &lt;tag&gt;   RECOVER_SLOT slot=&lt;n&gt;   RECOVER_DONE generation=&lt;g&gt; slots=&lt;n&gt; wallMillis=&lt;t&gt;
 * </pre>
 */
public final class MessagingNodeMain {

  private static final PrintStream out = System.out;
  private static volatile boolean hang;

  private MessagingNodeMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: MessagingNodeMain <profile> <seed address|self> <lockspace> <md slots> <lock wait ms>");
      System.exit(2);
    }
    String extra = """
        akka.coordinated-shutdown.exit-jvm = on
        akka.loglevel = WARNING
        """;
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), LocalDlmCluster.SYSTEM_NAME, LocalDlmCluster.nodeConfig(args[0], extra));
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(
        args[1].equals("self") ? cluster.selfMember().address() : AddressFromURIString.parse(args[1])));
    say("READY " + cluster.selfMember().address());
    Dlm dlm = Dlm.start(system);
    Ops ops = new Ops();
    ClusterLockspace ls = dlm.join(args[2], 64, ops).toCompletableFuture().get(120, TimeUnit.SECONDS);
    dlm.leaveOnShutdown(ls);
    int dlmSlot = ops.firstSlot.get(10, TimeUnit.SECONDS);
    MdSlot self = MdSlot.fromDlmSlotNumber(dlmSlot);
    CommOptions comm = CommOptions.defaults().withLockMillisMax(Long.parseLong(args[4]));
    Communicator c = new Communicator(ls, self, Integer.parseInt(args[3]), MessagingNodeMain::handle,
        Communicator.Options.defaults().withComm(comm).withInvariantChecks());
    c.join().toCompletableFuture().get(120, TimeUnit.SECONDS);
    c.ready().toCompletableFuture().get(120, TimeUnit.SECONDS);
    say("COMM_READY slot=" + self.value());
    Map<String, Communicator.HeldToken> held = new ConcurrentHashMap<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] w = line.trim().split("\\s+");
      try {
        switch (w[0]) {
          case "send" -> report(w[1], c.send(new Message.MetadataUpdated(Integer.parseInt(w[2]))));
          case "holdtoken" -> c.lockToken().whenComplete((h, e) -> {
            if (e != null) {
              say("SEND_FAILED " + w[1] + " " + e.getMessage());
            } else {
              held.put(w[1], h);
              say("TOKEN_HELD " + w[1]);
            }
          });
          case "sendheld" -> report(w[1], held.get(w[1]).send(new Message.MetadataUpdated(Integer.parseInt(w[2]))));
          case "releasetoken" -> held.remove(w[1]).unlock().whenComplete((v, e) ->
              say(e == null ? "TOKEN_RELEASED " + w[1] : "SEND_FAILED " + w[1] + " " + e.getMessage()));
          case "hang" -> {
            hang = true;
            say("OK hang");
          }
          case "prompt" -> {
            hang = false;
            say("OK prompt");
          }
          case "exit" -> {
            system.terminate();
            return;
          }
          default -> say("ERROR unknown command " + w[0]);
        }
      } catch (RuntimeException e) {
        say("ERROR " + line + ": " + e);
      }
    }
  }

  private static CompletionStage<Void> handle(Envelope e) {
    say("RECEIVED seq=" + e.seq() + " from=" + e.sender().value() + " " + e.message());
    if (hang) {
      return new CompletableFuture<>(); // never completes: this node is "mid-processing" until killed
    }
    say("PROCESSED seq=" + e.seq() + " from=" + e.sender().value());
    return CompletableFuture.completedFuture(null);
  }

  private static void report(String tag, CompletionStage<Long> send) {
    send.whenComplete((seq, e) -> say(e == null ? "SENT " + tag + " seq=" + seq : "SEND_FAILED " + tag + " " + e.getMessage()));
  }

  private static void say(String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  private static final class Ops implements LockspaceOps {
    final CompletableFuture<Integer> firstSlot = new CompletableFuture<>();

    @Override
    public void recoverPrep() {
      say("RECOVER_PREP");
    }

    @Override
    public void recoverSlot(NodeId node, int slot) {
      say("RECOVER_SLOT slot=" + slot + " node=" + node);
    }

    @Override
    public void recoverDone(List<Slot> slots, int ourSlot, long generation) {
      firstSlot.complete(ourSlot);
      say("RECOVER_DONE generation=" + generation + " slots=" + slots.size() + " ourSlot=" + ourSlot + " wallMillis="
          + System.currentTimeMillis());
    }

    @Override
    public void removed(String why) {
      say("REMOVED " + why);
    }
  }
}
