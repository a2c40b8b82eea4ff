package io.clustermd.sim;

import java.util.List;

/**
 * A failed run, with everything needed to understand and replay it: the seed, the event at which the
 * failure showed, the failing checker and its message, the last trace lines, and the replay commands.
 */
public final class SimFailure extends RuntimeException {

    private final long seed;
    private final long eventIndex;
    private final String checker;
    private final String reason;
    private final List<String> traceTail;
    private final Replay replay;

    public SimFailure(long seed, long eventIndex, String checker, String reason, List<String> traceTail,
                      Replay replay, Throwable cause) {
        super(render(seed, eventIndex, checker, reason, traceTail, replay), cause);
        this.seed = seed;
        this.eventIndex = eventIndex;
        this.checker = checker;
        this.reason = reason;
        this.traceTail = List.copyOf(traceTail);
        this.replay = replay;
    }

    public long seed() {
        return seed;
    }

    public long eventIndex() {
        return eventIndex;
    }

    public String checker() {
        return checker;
    }

    public String reason() {
        return reason;
    }

    public List<String> traceTail() {
        return traceTail;
    }

    public Replay replay() {
        return replay;
    }

    /** One line for a seed sweep. */
    public String summary() {
        return "FAIL seed=" + seed + " event=" + eventIndex + " [" + checker + "] " + firstLine(reason)
                + "  replay: " + replay.command() + "  (JUnit: " + replay.junit() + ")";
    }

    private static String render(long seed, long eventIndex, String checker, String reason, List<String> tail,
                                 Replay replay) {
        StringBuilder b = new StringBuilder();
        b.append("simulation failed: seed=").append(seed).append(" event=").append(eventIndex)
                .append(" checker=").append(checker).append('\n');
        b.append("  ").append(reason).append('\n');
        b.append("last ").append(tail.size()).append(" trace lines:\n");
        tail.forEach(l -> b.append("  ").append(l).append('\n'));
        b.append("replay: ").append(replay.command()).append('\n');
        b.append("   or in JUnit: ./mvnw -B -pl sim verify ").append(replay.junit()).append('\n');
        return b.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
