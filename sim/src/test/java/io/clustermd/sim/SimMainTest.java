package io.clustermd.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.sim.counter.CounterMessage;
import io.clustermd.sim.counter.CounterScenario;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimMainTest {

    private record Run(int exit, String out) {}

    private static Run run(String... args) {
        return run(SimMain.commandLine(), args);
    }

    private static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int exit = cl.execute(args);
        return new Run(exit, out.toString());
    }

    @Test
    @DisplayName("a seed sweep ends with 'N passed, 0 failed' and exit code 0")
    void sweepPrintsClosingLine() {
        Run r = run("counter", "--seeds", "1-3", "--duration-seconds", "30");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().strip().endsWith("3 passed, 0 failed"), r.out());
    }

    @Test
    @DisplayName("one seed prints its trace hash")
    void singleSeed() {
        Run r = run("counter", "--seed", "9", "--nodes", "3", "--duration-seconds", "30");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("seed 9 passed"), r.out());
    }

    @Test
    @DisplayName("--jobs 2 runs the same seeds as one job: same count, same failing seeds, same exit code")
    void jobsRunEverySeedOnce() {
        CommandLine cl = SimMain.commandLine(List.of(evenSeedsFail()));
        Run one = run(cl, "counter", "--seeds", "1-8", "--duration-seconds", "10");
        Run two = run(SimMain.commandLine(List.of(evenSeedsFail())), "counter", "--seeds", "1-8",
                "--duration-seconds", "10", "--jobs", "2");
        for (Run r : List.of(one, two)) {
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().strip().endsWith("4 passed, 4 failed"), r.out());
            assertEquals(List.of(2L, 4L, 6L, 8L), failedSeeds(r.out()), r.out());
        }
    }

    @Test
    @DisplayName("--jobs 0 is refused with an error that names the option")
    void jobsMustBePositive() {
        Run r = run("counter", "--seeds", "1-2", "--jobs", "0");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("--jobs must be at least 1, was 0"), r.out());
    }

    private static List<Long> failedSeeds(String out) {
        Matcher m = Pattern.compile("FAIL seed=(\\d+) ").matcher(out);
        List<Long> seeds = new ArrayList<>();
        while (m.find()) {
            seeds.add(Long.parseLong(m.group(1)));
        }
        seeds.sort(null);
        return seeds;
    }

    /** The counter scenario with a checker that fails every even seed at event 100. */
    private static Scenario<?> evenSeedsFail() {
        return new CounterPlus("fails even seeds", options -> new Checker() {
            @Override
            public String name() {
                return "even-seed";
            }

            @Override
            public void afterEvent(WorldView world) {
                Checker.require(options.seed() % 2 != 0 || world.eventIndex() < 100, "even seed " + options.seed());
            }
        });
    }

    @Test
    @DisplayName("seed lists parse ranges and singles")
    void seedSpec() {
        assertEquals(14, SeedSpec.parse("1-10,42,100-102").count());
        assertEquals(500, SeedSpec.parse("1-500").stream().count());
    }

    @Test
    @DisplayName("an unknown scenario is a usage error")
    void unknownScenario() {
        assertEquals(2, run("nope").exit());
    }
}
