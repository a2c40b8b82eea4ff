package io.clustermd.sim;

/**
 * How to replay one seed: the exact jar command (with any non-default options) and the JUnit property.
 */
public record Replay(String scenario, long seed, String extraOptions) {

    public static final String JAR = "sim/target/clustermd-sim.jar";
    public static final String SEED_PROPERTY = "clustermd.sim.seed";
    public static final String SEEDS_PROPERTY = "clustermd.sim.seeds";

    public static Replay of(String scenario, SimOptions options, SimOptions defaults) {
        StringBuilder extra = new StringBuilder();
        if (options.nodes() != defaults.nodes()) {
            extra.append(" --nodes ").append(options.nodes());
        }
        if (options.durationMillis() != defaults.durationMillis()) {
            extra.append(" --duration-seconds ").append(options.durationMillis() / 1000);
        }
        return new Replay(scenario, options.seed(), extra.toString());
    }

    public String command() {
        return "java -jar " + JAR + " " + scenario + " --seed " + seed + extraOptions;
    }

    public String junit() {
        return "-D" + SEED_PROPERTY + "=" + seed;
    }

    @Override
    public String toString() {
        return command() + "   (JUnit: " + junit() + ")";
    }
}
