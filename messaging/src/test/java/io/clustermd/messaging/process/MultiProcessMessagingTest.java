package io.clustermd.messaging.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.actor.NodeProcess;
import io.clustermd.dlm.actor.Profiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * md-cluster communication between separate JVMs (the agent processes' stand-in, {@link MessagingNodeMain}):
 * an Akka cluster on loopback with the tuned profile, the DLM, one array lockspace. A broadcast reaches
 * every other node and never its sender; kill -9 of a node that holds the token, and of a receiver in
 * the middle of processing, leaves the others sending once the DLM recovered the dead node.
 */
class MultiProcessMessagingTest {

  private static final String ARRAY = "9f0c7a1e-3d52-4b8e-a6f4-1c2d3e4f5a6b";
  private static final String LOCK_WAIT_MILLIS = "90000";
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Pattern READY = Pattern.compile("READY (\\S+)");
  private static final Pattern COMM_READY = Pattern.compile("COMM_READY slot=(\\d+)");
  private static final Pattern SENT = Pattern.compile("SENT \\S+ seq=(\\d+)");

  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(NodeProcess::close);
  }

  private String outputs() {
    StringBuilder sb = new StringBuilder();
    for (NodeProcess n : nodes) {
      sb.append("\n--- ").append(n.name).append(" ---\n").append(String.join("\n", n.lines));
    }
    return sb.toString();
  }

  @Test
  @DisplayName("JVMs: a broadcast reaches every other node; kill -9 of the token holder and of a receiver mid-processing; the rest carry on")
  void broadcastAndCrashes() throws Exception {
    try {
      run();
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + outputs(), e);
    }
  }

  /** Starts a node (one JVM at a time: on two cores, concurrent warm-up can delay heartbeats). */
  private NodeProcess start(String name, String seed, int members) throws Exception {
    NodeProcess n = new NodeProcess(name, MessagingNodeMain.class, Profiles.TUNED, seed, ARRAY, "8", LOCK_WAIT_MILLIS);
    nodes.add(n);
    n.awaitStartingWith("COMM_READY", START);
    for (NodeProcess other : nodes) {
      other.await(l -> l.startsWith("RECOVER_DONE") && l.contains("slots=" + members), START,
          "a " + members + "-member recover_done");
    }
    return n;
  }

  private static int slot(NodeProcess n) {
    Matcher m = COMM_READY.matcher(n.awaitStartingWith("COMM_READY", START));
    assertTrue(m.find());
    return Integer.parseInt(m.group(1));
  }

  /** The seq a sender's {@code SENT tag} reported, waiting for it among lines from {@code from}. */
  private static long sent(NodeProcess sender, int from, String tag) {
    Matcher m = SENT.matcher(sender.awaitFrom(from, l -> l.startsWith("SENT " + tag + " "), WAIT, "SENT " + tag));
    assertTrue(m.find());
    return Long.parseLong(m.group(1));
  }

  private static void processed(NodeProcess n, long seq, int from) {
    n.await(l -> l.equals("PROCESSED seq=" + seq + " from=" + from), WAIT, "PROCESSED seq=" + seq + " from=" + from);
  }

  private void run() throws Exception {
    NodeProcess a = new NodeProcess("a", MessagingNodeMain.class, Profiles.TUNED, "self", ARRAY, "8", LOCK_WAIT_MILLIS);
    nodes.add(a);
    Matcher ready = READY.matcher(a.awaitStartingWith("READY", START));
    assertTrue(ready.find());
    String seed = ready.group(1);
    a.awaitStartingWith("COMM_READY", START);
    NodeProcess b = start("b", seed, 2);
    NodeProcess c = start("c", seed, 3);
    int slotA = slot(a);

    // 1. A broadcast reaches every other node, after which (and only after which) the sender returns.
    a.send("send m1 1");
    long m1 = sent(a, 0, "m1");
    processed(b, m1, slotA);
    processed(c, m1, slotA);
    assertTrue(a.lines.stream().noneMatch(l -> l.startsWith("RECEIVED")), "a sender never processes its own message");

    // 2. kill -9 of the node that holds the token: b's send waits for it, then goes on after recovery.
    c.send("holdtoken h1");
    c.awaitStartingWith("TOKEN_HELD h1", WAIT);
    int bFrom = b.lines.size();
    b.send("send m2 2");
    Thread.sleep(1000);
    assertTrue(b.lines.subList(bFrom, b.lines.size()).stream().noneMatch(l -> l.startsWith("SENT m2")),
        "b sent while c held the token: " + b.lines);
    long killedAt = System.currentTimeMillis();
    c.kill9();
    long m2 = sent(b, bFrom, "m2");
    System.out.println("RESULT token-holder-kill9-to-send-done millis=" + (System.currentTimeMillis() - killedAt));
    processed(a, m2, slot(b));
    b.awaitFrom(bFrom, l -> l.startsWith("RECOVER_SLOT"), WAIT, "recover_slot of c");

    // 3. A new node joins; it hangs in its handler and is killed mid-processing: a's send completes once the
    // DLM recovered it, b processed the message, and later broadcasts flow.
    NodeProcess d = start("d", seed, 3);
    d.send("hang");
    d.awaitStartingWith("OK hang", WAIT);
    int aFrom = a.lines.size();
    a.send("send m3 3");
    d.await(l -> l.startsWith("RECEIVED") && l.contains("MetadataUpdated[raidSlot=3]"), WAIT, "d receiving m3");
    long m3AtB = Long.parseLong(b.await(l -> l.startsWith("RECEIVED") && l.contains("raidSlot=3"), WAIT, "b receiving m3")
        .replaceAll("RECEIVED seq=(\\d+) .*", "$1"));
    processed(b, m3AtB, slotA);
    Thread.sleep(1000);
    assertTrue(a.lines.subList(aFrom, a.lines.size()).stream().noneMatch(l -> l.startsWith("SENT m3")),
        "a returned before d processed m3: " + a.lines);
    killedAt = System.currentTimeMillis();
    d.kill9();
    long m3 = sent(a, aFrom, "m3");
    assertEquals(m3AtB, m3, "b processed the message a sent");
    System.out.println("RESULT receiver-kill9-to-send-done millis=" + (System.currentTimeMillis() - killedAt));
    b.send("send m4 4");
    long m4 = sent(b, 0, "m4");
    assertTrue(m4 > m3 && m3 > m2 && m2 > m1, "one total order: " + List.of(m1, m2, m3, m4));
    processed(a, m4, slot(b));
    for (NodeProcess n : List.of(a, b)) {
      assertEquals(0, n.lines.stream().filter(l -> l.startsWith("ERROR") || l.startsWith("SEND_FAILED")).count(),
          n.name + ": " + n.lines);
    }
  }
}
