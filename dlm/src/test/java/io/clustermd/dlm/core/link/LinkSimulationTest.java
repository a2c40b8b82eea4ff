package io.clustermd.dlm.core.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Seeded scenarios of {@link LinkSimulation}: drops, crashes and restarts, then calm.
 * {@code -Dclustermd.link.seeds=N} runs N seeds (default 500); {@code -Dclustermd.sim.seed=S}
 * replays one.
 */
class LinkSimulationTest {

  private static final int DEFAULT_SEEDS = 500;

  /** Rules the scenarios must have exercised, or the run proves less than it claims. */
  private static final List<String> MUST_FIRE =
      List.of(
          "transmit.NEW_DATA",
          "transmit.RETRANSMIT_TIMEOUT",
          "transmit.RETRANSMIT_CONNECTION_RESET",
          "transmit.ACK_DELAYED",
          "transmit.ACK_EVERY_FRAMES",
          "transmit.ACK_DUPLICATE",
          "transmit.ACK_GAP",
          "transmit.ACK_INCARNATION_HANDSHAKE",
          "dropped.DUPLICATE",
          "dropped.GAP",
          "dropped.STALE_PEER_INCARNATION",
          "dropped.ADDRESSED_TO_OLD_INCARNATION",
          "restarted.FRAME_FROM_NEW_INCARNATION",
          "restarted.MEMBERSHIP_HINT",
          "unresponsive.UNACKED_TOO_LONG",
          "unresponsive.WINDOW_FULL_TOO_LONG",
          "refused.WINDOW_FULL",
          "fault.crash",
          "fault.connectionDrop",
          "net.lostInOutage",
          "net.lostToCrashedNode",
          "deliver");

  @Test
  @DisplayName("after drops, crashes and restarts stop, every payload between live incarnations is delivered exactly once, in order")
  void seededScenarios() {
    String one = System.getProperty("clustermd.sim.seed");
    long first = one != null ? Long.parseLong(one) : 1;
    int seeds = one != null ? 1 : Integer.getInteger("clustermd.link.seeds", DEFAULT_SEEDS);
    Map<String, Long> counts = new TreeMap<>();
    long started = System.nanoTime();
    long cpuStarted = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    long slowestMillis = -1;
    long slowestSeed = -1;
    for (long seed = first; seed < first + seeds; seed++) {
      LinkSimulation sim = new LinkSimulation(seed);
      long seedStarted = System.nanoTime();
      try {
        sim.run();
      } catch (AssertionError | RuntimeException e) {
        String replay = "link simulation failed for seed " + seed
            + "; replay with -Dclustermd.sim.seed=" + seed;
        System.err.println(replay);
        throw new AssertionError(replay + ": " + e.getMessage(), e);
      }
      sim.counts().forEach((k, v) -> counts.merge(k, v, Long::sum));
      long seedMillis = (System.nanoTime() - seedStarted) / 1_000_000;
      if (seedMillis > slowestMillis) {
        slowestMillis = seedMillis;
        slowestSeed = seed;
      }
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    long cpuMillis = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStarted) / 1_000_000;
    System.out.println("link simulation: " + seeds + " seeds in " + millis + " ms, " + cpuMillis
        + " ms of CPU (slowest: seed " + slowestSeed
        + " in " + slowestMillis + " ms); " + counts);
    if (one == null) {
      for (String rule : MUST_FIRE) {
        assertTrue(counts.getOrDefault(rule, 0L) > 0, rule + " never happened in " + seeds + " seeds");
      }
    }
  }

  @Test
  @DisplayName("a seed replays identically")
  void replayIsDeterministic() {
    assertEquals(new LinkSimulation(42).run().counts(), new LinkSimulation(42).run().counts());
  }
}
