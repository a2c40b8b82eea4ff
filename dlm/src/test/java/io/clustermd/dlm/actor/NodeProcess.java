package io.clustermd.dlm.actor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A test launcher ({@link DlmNodeMain}, or another module's) in its own JVM on this test's class
 * path: commands on stdin, its stdout lines collected. Shared with other modules through the dlm
 * test-jar.
 */
public final class NodeProcess implements AutoCloseable {
  public final String name;
  public final Process process;
  public final List<String> lines = new CopyOnWriteArrayList<>();
  private final Writer stdin;

  NodeProcess(String name, String profile, String seed, String lockspace, int lvbLength) throws IOException {
    this(name, DlmNodeMain.class, profile, seed, lockspace, String.valueOf(lvbLength));
  }

  /** Starts {@code main} with {@code args}. */
  public NodeProcess(String name, Class<?> main, String... args) throws IOException {
    this.name = name;
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        main.getName()));
    cmd.addAll(List.of(args));
    this.process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("IO " + e);
      }
    }, "node-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  public void send(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
  }

  /** The first line matching {@code p}, waiting at most {@code within}; fails with the process's output. */
  public String await(Predicate<String> p, Duration within, String what) {
    return awaitFrom(0, p, within, what);
  }

  /** As {@link #await}, among the lines from index {@code from} on. */
  public String awaitFrom(int from, Predicate<String> p, Duration within, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      for (int i = from; i < lines.size(); i++) {
        String l = lines.get(i);
        if (p.test(l)) {
          return l;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError(name + ": no " + what + " within " + within + "; output:\n" + String.join("\n", lines));
  }

  public String awaitStartingWith(String prefix, Duration within) {
    return await(l -> l.startsWith(prefix), within, "'" + prefix + "'");
  }

  public void kill9() {
    process.destroyForcibly();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
