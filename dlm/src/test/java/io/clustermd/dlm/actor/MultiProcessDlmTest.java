package io.clustermd.dlm.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Three DLM nodes in three JVMs on loopback (tuned profile), driven through {@link DlmNodeMain}:
 * remote operations, a blocking callback across processes, an LVB through a remote master, and
 * kill -9 of a node that holds and masters locks, with recovery observed on the survivors.
 */
class MultiProcessDlmTest {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern READY = Pattern.compile("READY (\\S+)");
  private static final Pattern DONE_AT = Pattern.compile("RECOVER_DONE generation=(\\d+) slots=2 .*wallMillis=(\\d+)");

  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(NodeProcess::close);
  }

  /** Every node's output, for a failure message. */
  private String outputs() {
    StringBuilder sb = new StringBuilder();
    for (NodeProcess n : nodes) {
      sb.append("\n--- ").append(n.name).append(" ---\n").append(String.join("\n", n.lines));
    }
    return sb.toString();
  }

  @Test
  @DisplayName("three JVMs: remote lock/convert/cancel, bast across processes, LVB via remote master, kill -9 of holder+master")
  void threeProcesses() throws Exception {
    try {
      run();
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + outputs(), e);
    }
  }

  private void run() throws Exception {
    NodeProcess a = new NodeProcess("a", Profiles.TUNED, "self", "md0", 64);
    nodes.add(a);
    Matcher m = READY.matcher(a.awaitStartingWith("READY", START));
    assertTrue(m.find());
    String seed = m.group(1);
    // One JVM at a time: three JVMs warming up at once on two cores can delay heartbeats past the
    // tuned profile's 2 s acceptable pause.
    NodeProcess b = new NodeProcess("b", Profiles.TUNED, seed, "md0", 64);
    nodes.add(b);
    b.await(l -> l.startsWith("RECOVER_DONE") && l.contains("slots=2"), START, "a 2-member recover_done");
    NodeProcess c = new NodeProcess("c", Profiles.TUNED, seed, "md0", 64);
    nodes.add(c);
    for (NodeProcess n : nodes) {
      n.await(l -> l.startsWith("RECOVER_DONE") && l.contains("slots=3"), START, "a 3-member recover_done");
    }

    // c masters "token" (first to ask) and holds it EX; a blocks behind it and basts it.
    c.send("lock t1 token EX");
    c.awaitStartingWith("DONE t1 OK mode=EX", WAIT);
    a.send("lock t2 token PR");
    c.awaitStartingWith("BAST t1 PR", WAIT);
    c.send("convert t1 CR");
    c.awaitStartingWith("DONE t1 OK mode=CR", WAIT);
    a.awaitStartingWith("DONE t2 OK mode=PR", WAIT);

    // A queued conversion cancelled on b: ECANCEL, it keeps NL.
    b.send("lock t3 token NL");
    b.awaitStartingWith("DONE t3 OK mode=NL", WAIT);
    b.send("convert t3 EX");
    b.send("cancel t3");
    b.awaitStartingWith("DONE t3 ECANCEL mode=NL", WAIT);

    // LVB written by b's PW holder on c-mastered "lvb", read by a.
    c.send("lock k0 lvb NL VALBLK");
    c.awaitStartingWith("DONE k0 OK", WAIT);
    b.send("lock k1 lvb PW VALBLK");
    b.awaitStartingWith("DONE k1 OK mode=PW", WAIT);
    b.send("lvb k1 0badc0de");
    b.awaitStartingWith("OK lvb k1", WAIT);
    b.send("convert k1 NL VALBLK");
    b.awaitStartingWith("DONE k1 OK mode=NL", WAIT);
    a.send("lock k2 lvb PR VALBLK");
    assertTrue(a.awaitStartingWith("DONE k2 OK mode=PR", WAIT).contains("lvb=0badc0de"));

    // The link frames above travelled over the DLM's own connections, not only over Artery.
    for (NodeProcess n : List.of(a, b, c)) {
      n.send("transport");
      String t = n.awaitStartingWith("OK transport", WAIT);
      assertFalse(t.endsWith("connected=0") || t.endsWith("connected=-1"), t);
    }

    // c holds "resync" EX (and masters it and "token"); a waits for resync. kill -9 c.
    c.send("lock r1 resync EX");
    c.awaitStartingWith("DONE r1 OK mode=EX", WAIT);
    a.send("lock r2 resync EX");
    int aFrom = a.lines.size();
    int bFrom = b.lines.size();
    long killedAt = System.currentTimeMillis();
    c.kill9();
    a.awaitStartingWith("DONE r2 OK mode=EX", WAIT);
    for (NodeProcess n : List.of(a, b)) {
      int from = n == a ? aFrom : bFrom;
      n.awaitFrom(from, l -> l.startsWith("RECOVER_SLOT"), WAIT, "recover_slot after the kill");
      Matcher done = DONE_AT.matcher(n.awaitFrom(from, l -> DONE_AT.matcher(l).find(), WAIT, "a 2-member recover_done after the kill"));
      assertTrue(done.find());
      long millis = Long.parseLong(done.group(2)) - killedAt;
      System.out.println("RESULT kill9-to-recover-done node=" + n.name + " profile=tuned millis=" + millis);
    }
    // The survivors keep their locks: a's PR on token converts to EX now that c is gone.
    a.send("convert t2 EX");
    a.awaitStartingWith("DONE t2 OK mode=EX", WAIT);
    assertEquals(0, a.lines.stream().filter(l -> l.startsWith("ERROR") || l.startsWith("FAILED")).count(), a.lines.toString());
  }
}
