package io.clustermd.sim;

import java.util.random.RandomGenerator;

/**
 * Relative weights of the faults the {@link Nemesis} picks from at each step; a zero weight turns a
 * fault off. "Short" faults end before the failure detector plus stable-after could act, "long" ones
 * outlast it (see {@link NemesisOptions}).
 */
public record FaultMix(int crash, int shortPause, int longPause, int shortPartition, int longPartition,
                       int connectionDrop, int addNode, int leave) {

    /** Every kind of fault, crashes and drops a little more often than membership changes. */
    public static final FaultMix ALL = new FaultMix(3, 2, 1, 2, 1, 3, 1, 1);

    public static final FaultMix NONE = new FaultMix(0, 0, 0, 0, 0, 0, 0, 0);

    /** The kinds of fault, in the order of the record's components. */
    public enum Kind { CRASH, SHORT_PAUSE, LONG_PAUSE, SHORT_PARTITION, LONG_PARTITION, CONNECTION_DROP, ADD_NODE, LEAVE }

    public FaultMix {
        for (int w : new int[] {crash, shortPause, longPause, shortPartition, longPartition, connectionDrop, addNode,
                leave}) {
            if (w < 0) {
                throw new IllegalArgumentException("weights must be >= 0");
            }
        }
    }

    public int total() {
        return crash + shortPause + longPause + shortPartition + longPartition + connectionDrop + addNode + leave;
    }

    /** Picks a kind with probability proportional to its weight; requires {@code total() > 0}. */
    public Kind pick(RandomGenerator random) {
        int[] weights = {crash, shortPause, longPause, shortPartition, longPartition, connectionDrop, addNode, leave};
        int r = random.nextInt(total());
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return Kind.values()[i];
            }
        }
        throw new IllegalStateException("unreachable: weights " + this);
    }
}
