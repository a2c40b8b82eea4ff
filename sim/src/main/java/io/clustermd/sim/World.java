package io.clustermd.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The simulated cluster: node incarnations and their processes, wired to one scheduler, one seeded
 * generator, the {@link SimNetwork} and the {@link SimMembership} oracle. It runs one event per
 * {@link #step} and offers the fault operations the {@link Nemesis} (and tests) use.
 *
 * <p>Events for a paused node are held and replayed, in order, when it resumes; events for a dead
 * incarnation are dropped. Everything is single-threaded and driven by the scheduler alone.
 */
public final class World<M> implements WorldView {

    private final SimOptions options;
    private final SimScheduler scheduler;
    private final RandomGenerator random;
    private final SimNetwork network;
    private final SimMembership membership;
    private final ProcessFactory<M> processes;
    private final Workload<M> workload;
    private final Map<SimNodeId, SimNode<M>> nodes = new HashMap<>();
    private final List<SimNodeId> incarnations = new ArrayList<>();
    private final Map<String, SimNodeId> latest = new TreeMap<>();
    /**
     * Events a resumed node held while paused, replayed one per step before the scheduler's next event,
     * so each gets its own event index and checker pass and none can overtake them.
     */
    private final ArrayDeque<SimEvent.NodeEvent> replay = new ArrayDeque<>();
    private final List<Observation> observations = new ArrayList<>();
    private final List<Observation> observationsView = Collections.unmodifiableList(observations);
    private final WorkloadContext<M> workloadContext = new WorkloadCtx();
    private Nemesis nemesis;
    private long eventIndex;
    private long nextTimerId;

    public World(SimOptions options, ProcessFactory<M> processes, Workload<M> workload) {
        this.options = options;
        this.processes = Objects.requireNonNull(processes, "processes");
        this.workload = Objects.requireNonNull(workload, "workload");
        this.scheduler = new SimScheduler(options.queuedEventsMax());
        this.random = new SplittableRandom(options.seed());
        this.network = new SimNetwork(options.network(), scheduler, random, this::canAct, observations::add);
        this.membership = new SimMembership(options.membership(), scheduler, random, new MembershipHost());
    }

    // ---------------------------------------------------------------- setup

    /** Starts n1..nN as members that are Up at time 0, then the workload. */
    public void bootstrap(int count) {
        List<SimNodeId> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(new SimNodeId("n" + i, 1));
        }
        membership.bootstrap(ids);
        for (SimNodeId id : ids) {
            launch(id, View.initial(ids));
        }
        workload.onStart(workloadContext);
    }

    public void attach(Nemesis n) {
        this.nemesis = n;
    }

    // ---------------------------------------------------------------- faults and membership operations

    /** Starts a new incarnation of {@code name} (a restart or a new node); it joins the cluster. */
    public SimNodeId start(String name) {
        SimNodeId prev = latest.get(name);
        if (prev != null && status(prev).canAct()) {
            throw new IllegalStateException("cannot start " + name + ": " + prev + " is still " + status(prev));
        }
        SimNodeId id = prev == null ? new SimNodeId(name, 1) : prev.next();
        launch(id, View.EMPTY);
        membership.join(id);
        membership.reevaluate();
        return id;
    }

    public void crash(SimNodeId id) {
        requireAlive(id);
        observations.add(new Observation.Fault("crash " + id));
        stop(node(id), StopCause.CRASHED);
        membership.reevaluate();
    }

    public void pause(SimNodeId id) {
        SimNode<M> n = node(id);
        if (n.status != NodeStatus.RUNNING) {
            throw new IllegalStateException("cannot pause " + id + ": " + n.status);
        }
        n.status = NodeStatus.PAUSED;
        membership.connectivityChanged();
        observations.add(new Observation.NodePaused(id));
        membership.reevaluate();
    }

    /** Resumes a paused node; the next steps replay, in order, everything that reached it meanwhile. */
    public void resume(SimNodeId id) {
        SimNode<M> n = node(id);
        if (n.status != NodeStatus.PAUSED) {
            throw new IllegalStateException("cannot resume " + id + ": " + n.status);
        }
        n.status = NodeStatus.RUNNING;
        membership.connectivityChanged();
        observations.add(new Observation.NodeResumed(id, n.held.size()));
        replay.addAll(n.held);
        n.held.clear();
        membership.reevaluate();
    }

    public void leave(SimNodeId id) {
        requireAlive(id);
        observations.add(new Observation.Fault("graceful leave " + id));
        membership.leave(id);
    }

    public void partition(Partition p) {
        observations.add(new Observation.Fault("partition " + p));
        network.partition(p);
        membership.connectivityChanged();
        membership.reevaluate();
    }

    public void heal() {
        observations.add(new Observation.Fault("heal partition " + network.currentPartition()));
        network.heal();
        membership.connectivityChanged();
        membership.reevaluate();
    }

    public Partition currentPartition() {
        return network.currentPartition();
    }

    public void dropConnection(String a, String b, long downMillis) {
        observations.add(new Observation.Fault("drop connection " + a + "<->" + b + " for " + downMillis + "ms"));
        network.dropConnection(a, b, downMillis);
    }

    /** Schedules an event from outside (nemesis, tests). */
    public void schedule(long delayMillis, SimEvent event) {
        scheduler.scheduleAfter(delayMillis * 1000, event);
    }

    public RandomGenerator random() {
        return random;
    }

    /** The latest incarnation of a name, dead or alive. */
    public Optional<SimNodeId> latest(String name) {
        return Optional.ofNullable(latest.get(name));
    }

    /** Names ever started, in order. */
    public List<String> names() {
        return List.copyOf(latest.keySet());
    }

    // ---------------------------------------------------------------- the loop

    /** Runs the next event due at or before {@code untilMillis}; false if there is none. */
    public boolean step(long untilMillis) {
        SimEvent event;
        if (!replay.isEmpty()) {
            event = replay.poll();
        } else {
            Optional<SimScheduler.Scheduled> next = scheduler.next(untilMillis * 1000);
            if (next.isEmpty()) {
                scheduler.advanceTo(untilMillis * 1000);
                return false;
            }
            event = next.get().event();
        }
        observations.clear();
        eventIndex++;
        dispatch(event);
        membership.reevaluate();
        return true;
    }

    /** Runs every event up to {@code untilMillis} with no checkers (for unit tests). */
    public void runUntil(long untilMillis) {
        while (step(untilMillis)) {
            checkInvariants();
        }
    }

    public void checkInvariants() {
        scheduler.checkInvariants();
        membership.checkInvariants();
        for (SimNode<M> n : nodes.values()) {
            if (n.status != NodeStatus.PAUSED && !n.held.isEmpty()) {
                throw new IllegalStateException(n.id + " holds events while " + n.status);
            }
        }
    }

    private void dispatch(SimEvent event) {
        if (event instanceof SimEvent.NodeEvent ne) {
            SimNode<M> n = nodes.get(ne.node());
            if (n == null || !n.status.canAct()) {
                dropForDeadNode(ne);
            } else if (n.status == NodeStatus.PAUSED) {
                if (n.held.size() >= options.heldEventsMax()) {
                    throw new IllegalStateException(n.id + " holds " + n.held.size() + " events while paused");
                }
                n.held.add(ne);
            } else {
                handle(n, ne);
            }
        } else if (event instanceof SimEvent.JoinCompletes j) {
            membership.onJoinCompletes(j.joiner());
        } else if (event instanceof SimEvent.LeaveCompletes l) {
            membership.onLeaveCompletes(l.leaver());
        } else if (event instanceof SimEvent.NemesisStep s) {
            Objects.requireNonNull(nemesis, "a nemesis step without a nemesis").on(s.action());
        } else if (event instanceof SimEvent.WorkloadTimer t) {
            workload.onTimer(t.token(), workloadContext);
        } else {
            throw new IllegalStateException("unhandled event " + event);
        }
    }

    @SuppressWarnings("unchecked")
    private void handle(SimNode<M> n, SimEvent.NodeEvent event) {
        if (event instanceof SimEvent.MessageArrives a) {
            Envelope<M> env = (Envelope<M>) a.envelope();
            Optional<LossReason> loss = network.lossAtArrival(env);
            if (loss.isPresent()) {
                observations.add(new Observation.Lost(env, loss.get()));
            } else {
                observations.add(new Observation.Delivered(env));
                n.process.onMessage(env.from(), env.message(), n.context);
            }
        } else if (event instanceof SimEvent.TimerFires t) {
            if (!n.cancelledTimers.remove(t.timerId())) {
                observations.add(new Observation.TimerFired(n.id, t.token()));
                n.process.onTimer(t.token(), n.context);
            }
        } else if (event instanceof SimEvent.ViewNotice v) {
            n.view = n.view.apply(v.change());
            observations.add(new Observation.ViewChanged(n.id, n.view));
            n.process.onViewChange(n.view, n.context);
        } else if (event instanceof SimEvent.ClientRequest r) {
            observations.add(new Observation.Requested(n.id, r.request()));
            n.process.onRequest((M) r.request(), n.context);
        } else if (event instanceof SimEvent.DetectorFlip f) {
            membership.onDetectorFlip(f.node(), f.subject(), f.generation());
        } else if (event instanceof SimEvent.ResolverCheck c) {
            membership.onResolverCheck(c.node(), c.generation());
        }
    }

    private void dropForDeadNode(SimEvent.NodeEvent event) {
        if (event instanceof SimEvent.MessageArrives a) {
            observations.add(new Observation.Lost(a.envelope(), LossReason.RECEIVER_DEAD));
        } else if (event instanceof SimEvent.ClientRequest r) {
            observations.add(new Observation.RequestLost(r.node(), r.request()));
        }
    }

    private void launch(SimNodeId id, View view) {
        SimNode<M> n = new SimNode<>(id, processes.create(id), view);
        n.context = new NodeCtx(n);
        nodes.put(id, n);
        incarnations.add(id);
        latest.put(id.name(), id);
        observations.add(new Observation.NodeStarted(id));
        n.process.onStart(n.context);
    }

    private void stop(SimNode<M> n, StopCause cause) {
        n.status = cause.status();
        membership.connectivityChanged();
        n.held.clear();
        n.cancelledTimers.clear();
        observations.add(new Observation.NodeStopped(n.id, cause));
        n.process.onStop(cause);
        if (nemesis != null) {
            nemesis.onStopped(n.id, cause);
        }
    }

    private void requireAlive(SimNodeId id) {
        if (!status(id).canAct()) {
            throw new IllegalStateException(id + " is " + status(id));
        }
    }

    private SimNode<M> node(SimNodeId id) {
        SimNode<M> n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no such node " + id);
        }
        return n;
    }

    // ---------------------------------------------------------------- WorldView

    @Override
    public long seed() {
        return options.seed();
    }

    @Override
    public long now() {
        return scheduler.nowMillis();
    }

    @Override
    public long nowMicros() {
        return scheduler.nowMicros();
    }

    @Override
    public long eventIndex() {
        return eventIndex;
    }

    @Override
    public List<Observation> lastObservations() {
        return observationsView;
    }

    @Override
    public List<SimNodeId> incarnations() {
        return List.copyOf(incarnations);
    }

    @Override
    public List<SimNodeId> alive() {
        return incarnations.stream().filter(this::canAct).toList();
    }

    @Override
    public NodeStatus status(SimNodeId id) {
        SimNode<M> n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no such node " + id);
        }
        return n.status;
    }

    @Override
    public boolean canAct(SimNodeId id) {
        SimNode<M> n = nodes.get(id);
        return n != null && n.status.canAct();
    }

    @Override
    public Optional<View> view(SimNodeId id) {
        SimNode<M> n = nodes.get(id);
        return n == null || !n.status.canAct() ? Optional.empty() : Optional.of(n.view);
    }

    @Override
    public List<SimNodeId> members() {
        return membership.members();
    }

    @Override
    public long faultsEndMillis() {
        return options.faultsEndMillis();
    }

    // ---------------------------------------------------------------- contexts

    private final class MembershipHost implements SimMembership.Host {
        @Override
        public NodeStatus status(SimNodeId id) {
            return World.this.status(id);
        }

        @Override
        public void terminate(SimNodeId id, StopCause cause) {
            stop(node(id), cause);
        }

        @Override
        public boolean sameSide(String a, String b) {
            return network.sameSide(a, b);
        }

        @Override
        public boolean readyToExit(SimNodeId id) {
            return node(id).process.readyToExit();
        }

        @Override
        public void observe(Observation observation) {
            observations.add(observation);
        }
    }

    private final class NodeCtx implements ProcessContext<M> {
        private final SimNode<M> node;

        NodeCtx(SimNode<M> node) {
            this.node = node;
        }

        @Override
        public SimNodeId self() {
            return node.id;
        }

        @Override
        public long now() {
            return scheduler.nowMillis();
        }

        @Override
        public long nowMicros() {
            return scheduler.nowMicros();
        }

        @Override
        public void send(SimNodeId to, M message) {
            requireRunning();
            network.send(node.id, to, message);
        }

        @Override
        public long setTimer(long delayMillis, Object token) {
            requireRunning();
            long id = ++nextTimerId;
            scheduler.scheduleAfter(delayMillis * 1000, new SimEvent.TimerFires(node.id, id, token));
            return id;
        }

        @Override
        public void cancelTimer(long timerId) {
            if (timerId > 0 && timerId <= nextTimerId) {
                node.cancelledTimers.add(timerId);
            }
        }

        @Override
        public RandomGenerator random() {
            return random;
        }

        @Override
        public View view() {
            return node.view;
        }

        @Override
        public void trace(String text) {
            observations.add(new Observation.Note(node.id.toString(), text));
        }

        /** A process that kept its context past its own death must not act through it. */
        private void requireRunning() {
            if (node.status != NodeStatus.RUNNING) {
                throw new IllegalStateException(node.id + " is " + node.status + " and cannot act");
            }
        }
    }

    private final class WorkloadCtx implements WorkloadContext<M> {
        @Override
        public long now() {
            return scheduler.nowMillis();
        }

        @Override
        public RandomGenerator random() {
            return random;
        }

        @Override
        public void setTimer(long delayMillis, Object token) {
            scheduler.scheduleAfter(delayMillis * 1000, new SimEvent.WorkloadTimer(token));
        }

        @Override
        public boolean submit(SimNodeId node, M request) {
            if (!canAct(node)) {
                return false;
            }
            scheduler.scheduleAfter(0, new SimEvent.ClientRequest(node, request));
            return true;
        }

        @Override
        public WorldView world() {
            return World.this;
        }

        @Override
        public void trace(String text) {
            observations.add(new Observation.Note("workload", text));
        }
    }
}
