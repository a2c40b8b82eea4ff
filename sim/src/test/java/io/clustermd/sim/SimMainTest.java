package io.clustermd.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimMainTest {

    private record Run(int exit, String out) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = SimMain.commandLine();
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
