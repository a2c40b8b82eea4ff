package io.clustermd.bench.recovery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Time from kill -9 of a DLM agent (a JVM holding and mastering a lock) to recover_done on the
 * survivors, over several trials: three agent JVMs on loopback; each trial waits {@code --settle-sec},
 * kills the youngest, measures, and starts a replacement. Each survivor prints when it saw the victim
 * unreachable, downed and removed, so the report splits the time into Akka's share and the DLM's.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.clustermd.bench.recovery.RecoveryTiming --trials 5 --profile tuned</pre>
 */
@Command(name = "recovery-timing", mixinStandardHelpOptions = true)
public final class RecoveryTiming implements Runnable {

  private static final List<String> PHASES = List.of("unreachable", "downed", "removed", "recover_done");
  private static final Pattern READY = Pattern.compile("READY (\\S+)");
  private static final Pattern DONE = Pattern.compile("RECOVER_DONE members=(\\d+) wallMillis=(\\d+)");

  @Option(names = "--trials", defaultValue = "5")
  int trials;

  @Option(names = "--profile", defaultValue = "tuned")
  String profile;

  @Option(names = "--timeout-sec", defaultValue = "120", description = "bound on every wait")
  int timeoutSec;

  @Option(names = "--settle-sec", defaultValue = "60",
      description = "wait before each kill (default ${DEFAULT-VALUE}), so the survivors' failure detectors hold a steady "
          + "heartbeat history of the victim rather than the gaps of its JVM start")
  int settleSec;

  @Option(names = "--akka", defaultValue = "",
      description = "HOCON laid over the profile in every agent, e.g. 'akka.cluster.gossip-interval = 200ms'")
  String akkaOverrides;

  @Option(names = "--log-dir", description = "write every agent's output to <dir>/<agent>.log at the end")
  Path logDir;

  private final List<Agent> everyAgent = new ArrayList<>();

  private static final class Agent {
    final Process process;
    final String name;
    final List<String> lines = new CopyOnWriteArrayList<>();
    String address;

    Agent(String profile, String akkaOverrides, String seed, String name) throws IOException {
      this.name = name;
      process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
          RecoveryNode.class.getName(), profile, seed, name, akkaOverrides).redirectErrorStream(true).start();
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) {
            lines.add(l);
          }
        } catch (IOException ignored) {
          // the process died; its lines so far stay
        }
      });
      t.setDaemon(true);
      t.start();
    }

    /** Milliseconds from {@code killedAt} to this agent's {@code AKKA <what> <victim>} line; -1 if there is none. */
    long akkaEvent(int from, String what, String victim, long killedAt) {
      String prefix = "AKKA " + what + " " + victim + " wallMillis=";
      for (int i = from; i < lines.size(); i++) {
        if (lines.get(i).startsWith(prefix)) {
          return Long.parseLong(lines.get(i).substring(prefix.length())) - killedAt;
        }
      }
      return -1;
    }

    String awaitAddress(long deadlineNanos) {
      Matcher m = READY.matcher(await(0, READY, deadlineNanos));
      m.find();
      address = m.group(1);
      return address;
    }

    String await(int from, Pattern p, long deadlineNanos) {
      while (System.nanoTime() < deadlineNanos) {
        for (int i = from; i < lines.size(); i++) {
          if (p.matcher(lines.get(i)).find()) {
            return lines.get(i);
          }
        }
        sleep();
      }
      throw new IllegalStateException("timed out waiting for " + p + "; output: " + lines);
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new RecoveryTiming()).execute(args));
  }

  @Override
  public void run() {
    List<Agent> agents = new ArrayList<>();
    List<Long> millis = new ArrayList<>();
    try {
      Agent seed = new Agent(profile, akkaOverrides, "self", "n0");
      agents.add(seed);
      everyAgent.add(seed);
      String seedAddress = seed.awaitAddress(deadline());
      seed.await(0, Pattern.compile("HOLDING"), deadline());
      for (int i = 1; i <= 2; i++) {
        startAndWait(agents, seedAddress, "n" + i);
      }
      List<long[]> phases = new ArrayList<>(); // per survivor and trial: unreachable, downed, removed, recover_done
      for (int trial = 1; trial <= trials; trial++) {
        settle();
        Agent victim = agents.remove(agents.size() - 1);
        List<Integer> from = new ArrayList<>();
        agents.forEach(a -> from.add(a.lines.size()));
        long killedAt = System.currentTimeMillis();
        victim.process.destroyForcibly();
        long worst = 0;
        StringBuilder split = new StringBuilder();
        for (int i = 0; i < agents.size(); i++) {
          Agent survivor = agents.get(i);
          Matcher d = DONE.matcher(survivor.await(from.get(i), Pattern.compile("RECOVER_DONE members=2 "), deadline()));
          d.find();
          long[] p = new long[PHASES.size()];
          for (int k = 0; k < PHASES.size() - 1; k++) { // the Akka events; the last phase is recover_done
            p[k] = survivor.akkaEvent(from.get(i), PHASES.get(k), victim.address, killedAt);
          }
          p[PHASES.size() - 1] = Long.parseLong(d.group(2)) - killedAt;
          phases.add(p);
          worst = Math.max(worst, p[PHASES.size() - 1]);
          split.append(String.format("  %s: unreachable %d ms, downed %d ms, removed %d ms, recover_done %d ms%n",
              survivor.name, p[0], p[1], p[2], p[3]));
        }
        millis.add(worst);
        System.out.printf("trial %d: kill -9 -> recover_done on every survivor: %d ms%n%s", trial, worst, split);
        if (trial < trials) {
          startAndWait(agents, seedAddress, "r" + trial);
        }
      }
      Collections.sort(millis);
      System.out.printf("profile=%s%s settle=%ds trials=%d min=%d ms median=%d ms max=%d ms%n", profile,
          akkaOverrides.isBlank() ? "" : " with [" + akkaOverrides.replace('\n', ';') + "]", settleSec, millis.size(),
          millis.get(0), millis.get(millis.size() / 2), millis.get(millis.size() - 1));
      System.out.println("median per survivor, each step from the one before (-1: an event was not seen): "
          + medianSteps(phases));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      agents.forEach(a -> a.process.destroyForcibly());
      writeLogs();
    }
  }

  private void startAndWait(List<Agent> agents, String seed, String name) throws IOException {
    List<Integer> from = new ArrayList<>();
    agents.forEach(a -> from.add(a.lines.size()));
    Agent a = new Agent(profile, akkaOverrides, seed, name);
    agents.add(a);
    everyAgent.add(a);
    a.awaitAddress(deadline());
    a.await(0, Pattern.compile("HOLDING"), deadline());
    for (int i = 0; i < agents.size() - 1; i++) {
      agents.get(i).await(from.get(i), Pattern.compile("RECOVER_DONE members=" + agents.size() + " "), deadline());
    }
  }

  /** Lets the failure detectors collect a steady heartbeat history of the newest agent before the next kill. */
  private void settle() {
    try {
      Thread.sleep(settleSec * 1000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** "kill -> unreachable A ms, -> downed B ms, ...": the median of each step's own duration. */
  static String medianSteps(List<long[]> phases) {
    StringBuilder out = new StringBuilder();
    for (int k = 0; k < PHASES.size(); k++) {
      List<Long> steps = new ArrayList<>();
      for (long[] p : phases) {
        long start = k == 0 ? 0 : p[k - 1];
        steps.add(p[k] < 0 || start < 0 ? -1 : p[k] - start);
      }
      Collections.sort(steps);
      out.append(k == 0 ? "kill" : "").append(" -> ").append(PHASES.get(k)).append(' ')
          .append(steps.get(steps.size() / 2)).append(" ms");
    }
    return out.toString();
  }

  private void writeLogs() {
    if (logDir == null) {
      return;
    }
    try {
      Files.createDirectories(logDir);
      for (Agent a : everyAgent) {
        Files.write(logDir.resolve(a.name + ".log"), a.lines);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write agent logs to " + logDir, e);
    }
  }

  private long deadline() {
    return System.nanoTime() + timeoutSec * 1_000_000_000L;
  }

  private static void sleep() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
