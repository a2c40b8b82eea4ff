package io.clustermd.sim;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar sim/target/clustermd-sim.jar <scenario> --seeds 1-500 [--nodes N] [--duration-seconds S]}:
 * runs a scenario over many seeds, prints one line per failing seed with its replay command and a closing
 * {@code N passed, M failed}; exits 1 if any seed failed. {@code --seed n} runs one seed and prints the
 * full failure report (trace tail included; {@code --trace-tail N} keeps N lines instead of the scenario's).
 */
@Command(name = "clustermd-sim", mixinStandardHelpOptions = true,
        description = "Deterministic simulation of clustermd protocols; one subcommand per scenario.")
public final class SimMain implements Runnable {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with one subcommand per registered scenario. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SimMain());
        for (Scenario<?> s : Scenarios.all()) {
            CommandLine sub = new CommandLine(new RunScenario<>(s));
            sub.getCommandSpec().usageMessage().description(s.description());
            cl.addSubcommand(s.name(), sub);
        }
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a scenario: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** One scenario's subcommand. */
    @Command(mixinStandardHelpOptions = true)
    static final class RunScenario<M> implements Callable<Integer> {

        private final Scenario<M> scenario;

        @Spec
        private CommandSpec spec;

        @Option(names = "--seeds", description = "Seeds to run, e.g. 1-500 or 1-10,42 (default: ${DEFAULT-VALUE}).",
                defaultValue = "1-100")
        private String seeds;

        @Option(names = "--seed", description = "Run this one seed and print its full failure report.")
        private Long seed;

        @Option(names = "--nodes", description = "Cluster size at the start (default: the scenario's).")
        private Integer nodes;

        @Option(names = "--duration-seconds", description = "Simulated seconds per run, quiet period included.")
        private Integer durationSeconds;

        @Option(names = "--trace-tail", description = "Trace lines a failure report shows (default: the scenario's).")
        private Integer traceTail;

        RunScenario(Scenario<M> scenario) {
            this.scenario = scenario;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            SeedSpec spec = seed != null ? SeedSpec.parse(Long.toString(seed)) : SeedSpec.parse(seeds);
            boolean single = spec.count() == 1;
            long[] counts = new long[2];
            spec.stream().forEach(s -> {
                try {
                    SimResult r = Simulation.run(scenario, options(s));
                    counts[0]++;
                    if (single) {
                        out.println("seed " + s + " passed: " + r.events() + " events, " + r.simulatedMillis()
                                + " ms simulated, trace hash " + Long.toHexString(r.traceHash()));
                    }
                } catch (SimFailure f) {
                    counts[1]++;
                    out.println(single ? f.getMessage() : f.summary());
                }
                out.flush();
            });
            out.println(counts[0] + " passed, " + counts[1] + " failed");
            out.flush();
            return counts[1] == 0 ? 0 : 1;
        }

        private SimOptions options(long s) {
            SimOptions o = scenario.defaults(s);
            if (nodes != null) {
                o = o.withNodes(nodes);
            }
            if (durationSeconds != null) {
                o = o.withDurationMillis(durationSeconds * 1000L);
            }
            if (traceTail != null) {
                o = o.withTraceTail(traceTail);
            }
            return o;
        }
    }
}
