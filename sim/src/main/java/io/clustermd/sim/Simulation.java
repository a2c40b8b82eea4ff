package io.clustermd.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs one seed of a scenario: bootstrap, nemesis, events until the duration, checkers after every
 * event and at the end. A failure becomes a {@link SimFailure} carrying the seed, the event index, the
 * checker (or "engine" when a process or the engine itself threw), the trace tail and the replay command.
 */
public final class Simulation<M> {

    private final Scenario<M> scenario;
    private final SimOptions options;
    private final World<M> world;
    private final Nemesis nemesis;
    private final List<Checker> checkers = new ArrayList<>();
    private final Trace trace;
    /** Who is running right now, for the failure report. */
    private String stage = "engine";
    /** Whether the current event's observations are already in the trace. */
    private boolean traced;

    private Simulation(Scenario<M> scenario, SimOptions options) {
        this.scenario = scenario;
        this.options = options;
        ScenarioRun<M> run = scenario.newRun(options);
        this.world = new World<>(options, run.processes(), run.workload());
        this.nemesis = new Nemesis(world, options.nemesis(), options.nodes());
        world.attach(nemesis);
        checkers.addAll(engineCheckers());
        checkers.addAll(run.checkers());
        this.trace = new Trace(options.traceTail());
    }

    /** The checkers every scenario gets. */
    public static List<Checker> engineCheckers() {
        return List.of(new NetworkContractChecker(), new MembershipSafetyChecker(), new ViewConvergenceChecker());
    }

    /** Runs one seed; throws {@link SimFailure} if any checker (or the protocol) fails. */
    public static <M> SimResult run(Scenario<M> scenario, SimOptions options) {
        return new Simulation<>(scenario, options).run();
    }

    private SimResult run() {
        try {
            world.bootstrap(options.nodes());
            nemesis.start();
            afterEvent();
            while (step(options.durationMillis())) {
                afterEvent();
            }
            settle();
            for (Checker c : checkers) {
                stage = c.name() + " (at end)";
                c.atEnd(world);
            }
        } catch (RuntimeException | AssertionError e) {
            throw failure(e);
        }
        return new SimResult(options.seed(), world.eventIndex(), trace.lines(), trace.hash(), world.now(),
                world.incarnations().size());
    }

    /** Goes on past the duration while a checker still sees progress toward its end state, up to the cap. */
    private void settle() {
        while (true) {
            long until = Long.MIN_VALUE;
            for (Checker c : checkers) {
                stage = c.name() + " (settling)";
                until = Math.max(until, c.settleUntilMillis(world));
            }
            until = Math.min(until, options.settleCapMillis());
            if (until <= world.now()) {
                return;
            }
            if (step(until)) {
                afterEvent();
            }
        }
    }

    private boolean step(long untilMillis) {
        stage = "engine";
        traced = false;
        boolean more = world.step(untilMillis);
        if (world.eventIndex() > options.eventsMax()) {
            throw new Checker.CheckFailure("more than " + options.eventsMax() + " events in one run; livelock?");
        }
        return more;
    }

    /** Traces the last event's observations, checks the engine's invariants, then every checker. */
    private void afterEvent() {
        for (Observation o : world.lastObservations()) {
            trace.record(world.nowMicros(), world.eventIndex(), o);
        }
        traced = true;
        world.checkInvariants();
        for (Checker c : checkers) {
            stage = c.name();
            c.afterEvent(world);
        }
        stage = "engine";
    }

    private SimFailure failure(Throwable e) {
        if (!traced) {
            // A process or the engine threw mid-event; what that event did so far explains it best.
            world.lastObservations().forEach(o -> trace.record(world.nowMicros(), world.eventIndex(), o));
        }
        String why = e instanceof Checker.CheckFailure || e instanceof AssertionError ? e.getMessage() : e.toString();
        Replay replay = Replay.of(scenario.name(), options, scenario.defaults(options.seed()));
        return new SimFailure(options.seed(), world.eventIndex(), stage, why, trace.tail(), replay, e);
    }
}
