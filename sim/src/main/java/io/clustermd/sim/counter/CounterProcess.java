package io.clustermd.sim.counter;

import io.clustermd.sim.ProcessContext;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.SimProcess;
import io.clustermd.sim.View;

/**
 * The demo protocol: every node broadcasts increasing numbers to every other member of its view,
 * every {@value #PERIOD_MIN_MILLIS}–{@value #PERIOD_MAX_MILLIS} ms. It proves the engine, not a protocol:
 * its checkers look at what the network and the membership oracle let through.
 */
final class CounterProcess implements SimProcess<CounterMessage> {

    static final long PERIOD_MIN_MILLIS = 300;
    static final long PERIOD_MAX_MILLIS = 500;

    private static final Object TICK = "tick";

    private long next = 1;

    @Override
    public void onStart(ProcessContext<CounterMessage> ctx) {
        schedule(ctx);
    }

    @Override
    public void onMessage(SimNodeId from, CounterMessage message, ProcessContext<CounterMessage> ctx) {
        // Receipt is all the checkers need; they read it from the trace's observations.
    }

    @Override
    public void onViewChange(View view, ProcessContext<CounterMessage> ctx) {
        // The next tick broadcasts to the new view.
    }

    @Override
    public void onTimer(Object token, ProcessContext<CounterMessage> ctx) {
        CounterMessage m = new CounterMessage(next++);
        for (SimNodeId peer : ctx.view().members()) {
            if (!peer.equals(ctx.self())) {
                ctx.send(peer, m);
            }
        }
        schedule(ctx);
    }

    private static void schedule(ProcessContext<CounterMessage> ctx) {
        ctx.setTimer(ctx.random().nextLong(PERIOD_MIN_MILLIS, PERIOD_MAX_MILLIS + 1), TICK);
    }
}
