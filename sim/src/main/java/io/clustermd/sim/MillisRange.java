package io.clustermd.sim;

import java.util.random.RandomGenerator;

/** An inclusive range of milliseconds to draw a duration from. */
public record MillisRange(long min, long max) {

    public MillisRange {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("need 0 <= min <= max, got " + min + ".." + max);
        }
    }

    public static MillisRange of(long min, long max) {
        return new MillisRange(min, max);
    }

    public long draw(RandomGenerator random) {
        return min == max ? min : random.nextLong(min, max + 1);
    }

    @Override
    public String toString() {
        return min + ".." + max + "ms";
    }
}
