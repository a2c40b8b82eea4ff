package io.clustermd.sim;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The run's trace: a running 64-bit FNV-1a hash over every line (two runs are identical iff their hashes
 * match, in practice) and the last few lines for failure reports. Memory is bounded by the tail size.
 */
public final class Trace {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int tailLines;
    private final ArrayDeque<String> tail;
    private long hash = FNV_OFFSET;
    private long lines;

    public Trace(int tailLines) {
        this.tailLines = tailLines;
        this.tail = new ArrayDeque<>(tailLines);
    }

    /** Records one line: {@code <time ms> #<event> <what>}. */
    public void record(long nowMicros, long eventIndex, Observation observation) {
        String line = formatMillis(nowMicros) + " #" + eventIndex + " " + observation.describe();
        for (int i = 0; i < line.length(); i++) {
            hash ^= line.charAt(i);
            hash *= FNV_PRIME;
        }
        hash ^= '\n';
        hash *= FNV_PRIME;
        lines++;
        if (tail.size() == tailLines) {
            tail.removeFirst();
        }
        tail.addLast(line);
    }

    public long hash() {
        return hash;
    }

    public long lines() {
        return lines;
    }

    public List<String> tail() {
        return List.copyOf(tail);
    }

    /** Milliseconds with three decimals, e.g. {@code 12345.678ms}, without String.format's cost. */
    static String formatMillis(long micros) {
        long frac = micros % 1000;
        String f = frac < 10 ? "00" + frac : frac < 100 ? "0" + frac : Long.toString(frac);
        return (micros / 1000) + "." + f + "ms";
    }
}
