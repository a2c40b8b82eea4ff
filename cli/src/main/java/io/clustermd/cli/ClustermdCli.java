package io.clustermd.cli;

import io.clustermd.cli.examine.ExamineBitmapMode;
import io.clustermd.cli.examine.ExamineMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clustermd}: the mdadm-like command line. As in mdadm, the first option picks the mode;
 * the remaining arguments are devices. Offline modes read members directly; the agent-backed
 * modes ({@code --create}, {@code --assemble}, {@code --detail}, {@code --manage}) will join the
 * {@link ModeOption} group and talk to the local agent over its Unix socket.
 */
@Command(
    name = "clustermd",
    mixinStandardHelpOptions = true,
    version = "clustermd 0.1.0 (md v1.2 metadata, clustered bitmap version 5)",
    description = "Manage clustered md RAID1 arrays (mdadm-compatible options and output).",
    exitCodeOnInvalidInput = ExitCode.USAGE)
public final class ClustermdCli implements Callable<Integer> {

  /** Exactly one mode per invocation, as mdadm. */
  static final class ModeOption {
    @Option(
        names = {"-E", "--examine"},
        description = "Print the md superblock of each MEMBER, as mdadm --examine.")
    boolean examine;

    @Option(
        names = {"-X", "--examine-bitmap"},
        description = "Print the write-intent bitmap of each MEMBER, per node slot, as mdadm -X.")
    boolean examineBitmap;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  ModeOption mode;

  @Parameters(paramLabel = "MEMBER", arity = "1..*", description = "Member files or block devices.")
  List<Path> members;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Mode m = mode.examine ? new ExamineMode(ZoneId.systemDefault()) : new ExamineBitmapMode();
    return m.run(members, out, err);
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new ClustermdCli()).setOut(out).setErr(err).execute(args);
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(out, err, args));
  }
}
