package io.clustermd.sim;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar sim/target/clustermd-sim.jar <scenario> --seeds 1-500 [--nodes N] [--duration-seconds S]}:
 * runs a scenario over many seeds, prints one line per failing seed with its replay command and a closing
 * {@code N passed, M failed}; exits 1 if any seed failed. {@code --jobs N} runs N seeds at once. {@code --seed n}
 * runs one seed and prints the full failure report (trace tail included; {@code --trace-tail N} keeps N lines
 * instead of the scenario's).
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
        return commandLine(Scenarios.all());
    }

    /** The command line for these scenarios (tests add scenarios that fail on purpose). */
    static CommandLine commandLine(List<? extends Scenario<?>> scenarios) {
        CommandLine cl = new CommandLine(new SimMain());
        for (Scenario<?> s : scenarios) {
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

        @Option(names = "--jobs", defaultValue = "1",
                description = "Seeds run at once, one thread each (default: ${DEFAULT-VALUE}); each seed stays "
                        + "deterministic, only the order of the output lines changes.")
        private int jobs;

        RunScenario(Scenario<M> scenario) {
            this.scenario = scenario;
        }

        @Override
        public Integer call() {
            if (jobs < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--jobs must be at least 1, was " + jobs);
            }
            PrintWriter out = spec.commandLine().getOut();
            SeedSpec spec = seed != null ? SeedSpec.parse(Long.toString(seed)) : SeedSpec.parse(seeds);
            boolean single = spec.count() == 1;
            AtomicLong passed = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            LongConsumer runOne = s -> {
                String line = null;
                try {
                    SimResult r = Simulation.run(scenario, options(s));
                    passed.incrementAndGet();
                    if (single) {
                        line = "seed " + s + " passed: " + r.events() + " events, " + r.simulatedMillis()
                                + " ms simulated, trace hash " + Long.toHexString(r.traceHash());
                    }
                } catch (SimFailure f) {
                    failed.incrementAndGet();
                    line = single ? f.getMessage() : f.summary();
                }
                if (line != null) {
                    synchronized (out) {
                        out.println(line);
                        out.flush();
                    }
                }
            };
            if (jobs == 1) {
                spec.stream().forEach(runOne);
            } else {
                ForkJoinPool pool = new ForkJoinPool(jobs);
                try {
                    long[] all = spec.stream().toArray(); // an array splits evenly between the threads
                    pool.submit(() -> Arrays.stream(all).parallel().forEach(runOne)).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while running seeds", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a seed's run threw outside the simulation", e.getCause());
                } finally {
                    pool.shutdownNow();
                }
            }
            out.println(passed.get() + " passed, " + failed.get() + " failed");
            out.flush();
            return failed.get() == 0 ? 0 : 1;
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
