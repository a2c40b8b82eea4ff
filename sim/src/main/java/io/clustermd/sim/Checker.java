package io.clustermd.sim;

/**
 * An invariant checked after every event (safety) and once at the end of a run (liveness, after the
 * quiet period). A violation throws, with a message that says what was expected and what was seen;
 * the simulator adds the seed, the event index, the trace tail and the replay command.
 */
public interface Checker {

    /** A short name for reports, e.g. "fifo-no-duplicates". */
    String name();

    void afterEvent(WorldView world);

    default void atEnd(WorldView world) {
    }

    /**
     * Until when the run should go on past its duration before {@link #atEnd} is judged: a liveness
     * checker whose end state is reached by steady progress (a queue of slow but completing requests)
     * returns its last progress plus the longest gap it allows between two steps, and {@link Long#MIN_VALUE}
     * once its end state holds. A stuck protocol makes no progress, so its run still ends on time and
     * fails. The engine caps the extension at {@link SimOptions#settleCapMillis()}.
     */
    default long settleUntilMillis(WorldView world) {
        return Long.MIN_VALUE;
    }

    /** Throws a violation of this checker with {@code message}. */
    static void require(boolean condition, String message) {
        if (!condition) {
            throw new CheckFailure(message);
        }
    }

    /** A violated invariant. */
    final class CheckFailure extends RuntimeException {
        public CheckFailure(String message) {
            super(message);
        }
    }
}
