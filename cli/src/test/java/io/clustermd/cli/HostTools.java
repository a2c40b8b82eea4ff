package io.clustermd.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real mdadm and losetup for interop tests. Under {@code CI=true} a missing tool or
 * unusable loop device fails the test (CI installs mdadm, so a skip would hide a broken check);
 * elsewhere the test is skipped with the reason.
 */
public final class HostTools {

  private HostTools() {}

  /** Every external command is bounded: mdadm and losetup answer in milliseconds. */
  public static final long COMMAND_TIMEOUT_SECONDS_MAX = 30;

  public record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "rc=" + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Fails under CI, skips elsewhere. */
  public static void require(boolean condition, String reason) {
    if (condition) {
      return;
    }
    if (inCi()) {
      fail("CI=true and interop prerequisite missing: " + reason);
    }
    Assumptions.assumeTrue(false, "skipped (not CI): " + reason);
  }

  public static void requireMdadm() {
    require(which("mdadm") != null, "mdadm is not installed (apt-get install mdadm)");
  }

  public static void requireLoopDevices() {
    require(which("losetup") != null, "losetup is not installed");
    require(Files.exists(Path.of("/dev/loop-control")), "/dev/loop-control is absent");
    Result r = run("losetup", "-f");
    require(r.exitCode == 0, "no free loop device / not root: " + r);
  }

  public static String which(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .concat(":/usr/sbin:/sbin").split(":")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  public static Result run(String... cmd) {
    List<String> full = new ArrayList<>(List.of(cmd));
    String exe = which(cmd[0]);
    if (exe != null) {
      full.set(0, exe);
    }
    try {
      ProcessBuilder pb = new ProcessBuilder(full);
      pb.environment().put("LC_ALL", "C");
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(COMMAND_TIMEOUT_SECONDS_MAX, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("timed out after " + COMMAND_TIMEOUT_SECONDS_MAX + " s: " + full);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Result(p.exitValue(), out, err);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + full + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + full, e);
    }
  }

  /** A read-only loop device over a file; detached on close. */
  public static final class Loop implements AutoCloseable {
    private final String device;

    private Loop(String device) {
      this.device = device;
    }

    public static Loop attachReadOnly(Path file) {
      Result r = run("losetup", "-r", "-f", "--show", file.toString());
      if (r.exitCode != 0 || r.stdout.isBlank()) {
        fail("losetup -r -f --show " + file + " failed: " + r);
      }
      return new Loop(r.stdout.trim());
    }

    public String device() {
      return device;
    }

    @Override
    public void close() {
      Result r = run("losetup", "-d", device);
      if (r.exitCode != 0) {
        fail("losetup -d " + device + " failed: " + r);
      }
    }
  }

  /**
   * Parses mdadm's {@code key : value} lines into sections: section 0 is everything before the
   * first {@code Node Slot}, then one section per slot. Keys are trimmed; values keep their
   * trailing spaces trimmed.
   */
  public static List<Map<String, String>> sections(String out) {
    List<Map<String, String>> sections = new ArrayList<>();
    Map<String, String> cur = new LinkedHashMap<>();
    sections.add(cur);
    for (String line : out.split("\n")) {
      int idx = line.indexOf(" : ");
      if (idx < 0) {
        continue;
      }
      String key = line.substring(0, idx).trim();
      String value = line.substring(idx + 3).strip();
      if (key.equals("Node Slot")) {
        cur = new LinkedHashMap<>();
        sections.add(cur);
      }
      cur.put(key, value);
    }
    return sections;
  }
}
