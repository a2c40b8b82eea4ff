package io.clustermd.sim.counter;

/** The demo protocol's only message: the sender's next number. */
public record CounterMessage(long value) {

    @Override
    public String toString() {
        return "Count(" + value + ")";
    }
}
