package io.clustermd.bench.recovery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
 * survivors, over several trials: three agent JVMs on loopback; each trial kills the youngest,
 * measures, and starts a replacement.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.clustermd.bench.recovery.RecoveryTiming --trials 5 --profile tuned</pre>
 */
@Command(name = "recovery-timing", mixinStandardHelpOptions = true)
public final class RecoveryTiming implements Runnable {

  private static final Pattern DONE = Pattern.compile("RECOVER_DONE members=(\\d+) wallMillis=(\\d+)");

  @Option(names = "--trials", defaultValue = "5")
  int trials;

  @Option(names = "--profile", defaultValue = "tuned")
  String profile;

  @Option(names = "--timeout-sec", defaultValue = "120", description = "bound on every wait")
  int timeoutSec;

  private static final class Agent {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Agent(String profile, String seed, String name) throws IOException {
      process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
          RecoveryNode.class.getName(), profile, seed, name).redirectErrorStream(true).start();
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
      Agent seed = new Agent(profile, "self", "n0");
      agents.add(seed);
      Matcher m = Pattern.compile("READY (\\S+)").matcher(seed.await(0, Pattern.compile("READY"), deadline()));
      m.find();
      String seedAddress = m.group(1);
      seed.await(0, Pattern.compile("HOLDING"), deadline());
      for (int i = 1; i <= 2; i++) {
        startAndWait(agents, seedAddress, "n" + i);
      }
      for (int trial = 1; trial <= trials; trial++) {
        Agent victim = agents.remove(agents.size() - 1);
        List<Integer> from = new ArrayList<>();
        agents.forEach(a -> from.add(a.lines.size()));
        long killedAt = System.currentTimeMillis();
        victim.process.destroyForcibly();
        long worst = 0;
        for (int i = 0; i < agents.size(); i++) {
          Matcher d = DONE.matcher(agents.get(i).await(from.get(i), Pattern.compile("RECOVER_DONE members=2 "), deadline()));
          d.find();
          worst = Math.max(worst, Long.parseLong(d.group(2)) - killedAt);
        }
        millis.add(worst);
        System.out.printf("trial %d: kill -9 -> recover_done on every survivor: %d ms%n", trial, worst);
        startAndWait(agents, seedAddress, "r" + trial);
      }
      Collections.sort(millis);
      System.out.printf("profile=%s trials=%d min=%d ms median=%d ms max=%d ms%n", profile, millis.size(), millis.get(0),
          millis.get(millis.size() / 2), millis.get(millis.size() - 1));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      agents.forEach(a -> a.process.destroyForcibly());
    }
  }

  private void startAndWait(List<Agent> agents, String seed, String name) throws IOException {
    List<Integer> from = new ArrayList<>();
    agents.forEach(a -> from.add(a.lines.size()));
    Agent a = new Agent(profile, seed, name);
    agents.add(a);
    a.await(0, Pattern.compile("HOLDING"), deadline());
    for (int i = 0; i < agents.size() - 1; i++) {
      agents.get(i).await(from.get(i), Pattern.compile("RECOVER_DONE members=" + agents.size() + " "), deadline());
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
