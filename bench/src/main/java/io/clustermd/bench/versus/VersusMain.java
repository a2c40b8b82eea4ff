package io.clustermd.bench.versus;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The side-by-side lock benchmark (issue 3, "Show"):
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.clustermd.bench.versus.VersusMain \
 *     --backends zookeeper,clustermd,clustermd-local --seconds 10
 * </pre>
 *
 * <p>Prints the table, and writes {@code versus.txt}, {@code versus.md}, {@code versus.csv} and
 * {@code versus.png} to {@code --out}. Exit code 0 when every backend that could start measured
 * every case, 1 when a case failed, 2 on a usage error.
 */
@Command(
    name = "versus",
    mixinStandardHelpOptions = true,
    description = "Lock service vs ZooKeeper/Curator: (a) local master, (b) remote master, (c) contended handoff.")
public final class VersusMain implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = "--backends", split = ",", defaultValue = "zookeeper,clustermd,clustermd-local",
      description = "Backends, in order: zookeeper, clustermd, clustermd-local (default: ${DEFAULT-VALUE}).")
  private List<String> backends;

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per case (default: ${DEFAULT-VALUE}).")
  private int seconds;

  @Option(names = "--warmup-seconds", defaultValue = "3",
      description = "Warm-up seconds per case, not measured (default: ${DEFAULT-VALUE}).")
  private int warmupSeconds;

  @Option(names = "--cases", split = ",", defaultValue = "a,r,b,c",
      description = "Cases; r is the bare Akka round trip (b) is counted in (default: ${DEFAULT-VALUE}).")
  private List<String> cases;

  @Option(names = "--rounds", defaultValue = "1",
      description = "Start, measure and stop every backend this many times; rows are medians (default: ${DEFAULT-VALUE}).")
  private int rounds;

  @Option(names = "--lock-wait-millis-max", defaultValue = "30000",
      description = "Longest one lock or unlock may wait before its case fails (default: ${DEFAULT-VALUE}).")
  private long lockWaitMillisMax;

  @Option(names = "--out", defaultValue = "bench/results", description = "Output directory (default: ${DEFAULT-VALUE}).")
  private Path out;

  @Option(names = "--log-level", defaultValue = "ERROR", description = "Root log level (default: ${DEFAULT-VALUE}).")
  private String logLevel;

  @Option(names = "--zookeeper-log-level", defaultValue = "OFF",
      description = "Log level of ZooKeeper and Curator, which log every orderly shutdown as errors (default: ${DEFAULT-VALUE}).")
  private String zookeeperLogLevel;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new VersusMain());
  }

  @Override
  public Integer call() throws Exception {
    VersusLogging.configure(logLevel, zookeeperLogLevel);
    PrintWriter stdout = spec.commandLine().getOut();
    List<VersusCase> chosen = new ArrayList<>();
    try {
      for (String c : cases) {
        chosen.add(VersusCase.fromLetter(c));
      }
      for (String b : backends) {
        Backends.requireKnown(b);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    VersusOptions options = new VersusOptions(
        3, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(seconds), chosen, rounds, lockWaitMillisMax);

    VersusResults results = new VersusRunner(options, stdout).run(backends);
    ResultReport report = new ResultReport(results);
    String text = report.text();
    stdout.println();
    stdout.print(text);

    Files.createDirectories(out);
    Files.writeString(out.resolve("versus.txt"), text, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("versus.md"), report.markdown(), StandardCharsets.UTF_8);
    Files.writeString(out.resolve("versus.csv"), report.csv(), StandardCharsets.UTF_8);
    Path png = out.resolve("versus.png");
    VersusChart.write(results, report.rows(), png);
    stdout.println("wrote " + out.resolve("versus.txt") + ", versus.md, versus.csv, versus.png");
    stdout.flush();
    return report.rows().stream().allMatch(CaseResult::ok) ? 0 : 1;
  }
}
