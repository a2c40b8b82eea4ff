package io.clustermd.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/** A list of seeds as typed on the command line: {@code 7}, {@code 1-500}, {@code 1-10,42,100-120}. */
public record SeedSpec(List<long[]> ranges) {

    public SeedSpec {
        ranges = List.copyOf(ranges);
    }

    public static SeedSpec parse(String text) {
        List<long[]> ranges = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            int dash = p.indexOf('-', 1);
            try {
                long lo = Long.parseLong(dash < 0 ? p : p.substring(0, dash).strip());
                long hi = dash < 0 ? lo : Long.parseLong(p.substring(dash + 1).strip());
                if (hi < lo) {
                    throw new IllegalArgumentException("empty seed range " + p);
                }
                ranges.add(new long[] {lo, hi});
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a seed or seed range: '" + p + "' (use e.g. 1-500 or 7)");
            }
        }
        return new SeedSpec(ranges);
    }

    public LongStream stream() {
        return ranges.stream().flatMapToLong(r -> LongStream.rangeClosed(r[0], r[1]));
    }

    public long count() {
        return ranges.stream().mapToLong(r -> r[1] - r[0] + 1).sum();
    }
}
