package io.clustermd.sim;

/** A passed run: what it did, and its trace hash (equal seeds and options give equal hashes). */
public record SimResult(long seed, long events, long traceLines, long traceHash, long simulatedMillis,
                        int incarnations) {
}
