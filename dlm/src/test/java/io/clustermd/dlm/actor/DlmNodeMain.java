package io.clustermd.dlm.actor;

import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.ConfigFactory;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.LockspaceOps;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.Slot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A one-lockspace DLM node in its own JVM (test support), driven line by line on stdin and reporting on stdout:
 * the launcher of the multi-process tests until the agent exists.
 *
 * <pre>
 * args: &lt;profile&gt; &lt;seed address or "self"&gt; &lt;lockspace&gt; &lt;lvb length&gt;
 * in:   lock &lt;tag&gt; &lt;resource&gt; &lt;mode&gt; [flag...]   convert &lt;tag&gt; &lt;mode&gt; [flag...]
 *       unlock &lt;tag&gt;   cancel &lt;tag&gt;   lvb &lt;tag&gt; &lt;hex&gt;   cut &lt;address&gt;   exit
 * out:  READY &lt;address&gt;   JOINED slot=&lt;n&gt; generation=&lt;g&gt;   DONE &lt;tag&gt; &lt;status&gt; mode=&lt;m&gt; flags=&lt;f&gt; lvb=&lt;hex&gt;
 *       FAILED &lt;tag&gt; &lt;why&gt;   BAST &lt;tag&gt; &lt;mode&gt;   RECOVER_PREP   RECOVER_SLOT slot=&lt;n&gt;
 *       RECOVER_DONE generation=&lt;g&gt; slots=&lt;n&gt; wallMillis=&lt;t&gt;   REMOVED &lt;why&gt;
 * </pre>
 *
 * With the agent's {@code exit-jvm = on}, a node downed by the resolver exits.
 */
public final class DlmNodeMain {

  private static final PrintStream out = System.out;

  private DlmNodeMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: DlmNodeMain <profile> <seed address|self> <lockspace> <lvb length>");
      System.exit(2);
    }
    String extra = """
        akka.coordinated-shutdown.exit-jvm = on
        akka.remote.artery.advanced.test-mode = on
        akka.loglevel = WARNING
        """;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), LocalDlmCluster.SYSTEM_NAME,
        LocalDlmCluster.nodeConfig(args[0], extra).withFallback(ConfigFactory.load()));
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(
        args[1].equals("self") ? cluster.selfMember().address() : AddressFromURIString.parse(args[1])));
    say("READY " + cluster.selfMember().address());
    Dlm dlm = Dlm.start(system);
    int lvbLength = Integer.parseInt(args[3]);
    ClusterLockspace ls = dlm.join(args[2], lvbLength, new Ops()).toCompletableFuture().get(120, TimeUnit.SECONDS);
    dlm.leaveOnShutdown(ls);
    Map<String, DlmLock> locks = new ConcurrentHashMap<>();
    Map<String, byte[]> buffers = new ConcurrentHashMap<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] w = line.trim().split("\\s+");
      try {
        switch (w[0]) {
          case "lock" -> {
            String tag = w[1];
            byte[] lvb = new byte[lvbLength];
            buffers.put(tag, lvb);
            LockRequest r = new LockRequest(ResourceName.of(w[2]), LockMode.valueOf(w[3]), flags(w, 4), lvb,
                (lock, mode) -> say("BAST " + tag + " " + mode));
            DlmLock l = ls.lock(r);
            locks.put(tag, l);
            report(tag, l.requested().toCompletableFuture(), lvb);
          }
          case "convert" -> report(w[1],
              locks.get(w[1]).convert(LockMode.valueOf(w[2]), flags(w, 3)).toCompletableFuture(), buffers.get(w[1]));
          case "unlock" -> report(w[1], locks.get(w[1]).unlock(flags(w, 2)).toCompletableFuture(), buffers.get(w[1]));
          case "cancel" -> locks.get(w[1]).cancel();
          case "lvb" -> {
            byte[] v = HexFormat.of().parseHex(w[2]);
            System.arraycopy(v, 0, buffers.get(w[1]), 0, v.length);
            say("OK lvb " + w[1]);
          }
          case "cut" -> {
            Blackhole.cut(system, dlm, AddressFromURIString.parse(w[1]));
            say("OK cut " + w[1]);
          }
          case "transport" -> say("OK transport connected="
              + dlm.transport().map(t -> t.connectedAgents().size()).orElse(-1));
          case "exit" -> {
            system.terminate();
            return;
          }
          default -> say("ERROR unknown command " + w[0]);
        }
      } catch (RuntimeException e) {
        say("ERROR " + line + ": " + e.getMessage());
      }
    }
  }

  private static LockFlags flags(String[] w, int from) {
    LockFlags f = LockFlags.NONE;
    for (int i = from; i < w.length; i++) {
      f = f.with(LockFlag.valueOf(w[i]));
    }
    return f;
  }

  private static void report(String tag, java.util.concurrent.CompletableFuture<StatusBlock> f, byte[] lvb) {
    f.whenComplete((sb, failed) -> {
      if (failed != null) {
        say("FAILED " + tag + " " + failed.getMessage());
      } else {
        say("DONE " + tag + " " + sb.status() + " mode=" + sb.mode() + " flags=" + sb.sbFlags() + " lvb="
            + (lvb == null ? "" : HexFormat.of().formatHex(lvb)));
      }
    });
  }

  private static void say(String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  private static final class Ops implements LockspaceOps {
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
      say("RECOVER_DONE generation=" + generation + " slots=" + slots.size() + " ourSlot=" + ourSlot + " wallMillis="
          + System.currentTimeMillis());
    }

    @Override
    public void removed(String why) {
      say("REMOVED " + why);
    }
  }
}
