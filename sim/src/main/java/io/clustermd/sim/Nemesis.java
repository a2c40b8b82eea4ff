package io.clustermd.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The seeded fault schedule: every step it picks a fault from {@link FaultMix} and injects it if the
 * cluster can take it; it ends each fault it started (resume, heal, restart as a new incarnation);
 * and at {@link WorldView#faultsEndMillis()} it stops injecting, heals everything and restarts the dead,
 * so the quiet period can check liveness ("every request completes once faults stop").
 *
 * <p><b>Only survivable faults.</b> A fault is injected only if afterwards the healthy members (running,
 * on the main side of any partition, not leaving) are still a strict majority of the membership. With
 * keep-majority, anything else can legitimately down the whole cluster, which tests nothing.
 * At most one partition exists at a time, its group 0 is the majority, and nodes are added or restarted
 * only outside partitions.
 */
public final class Nemesis {

    /** What a nemesis step does. */
    public sealed interface Action {}

    /** Pick and inject the next fault. */
    public record Tick() implements Action {}

    public record Resume(SimNodeId node) implements Action {}

    public record Heal(long partitionId) implements Action {}

    /** Start a new incarnation of a dead name. */
    public record Restart(String name) implements Action {}

    /** The quiet period begins. */
    public record StopFaults() implements Action {}

    private static final long RETRY_MILLIS = 1_000;
    private static final MillisRange QUIET_RESTART = MillisRange.of(100, 2_000);

    private final World<?> world;
    private final NemesisOptions options;
    private final RandomGenerator random;
    private final Set<String> retired = new TreeSet<>();
    private final Set<SimNodeId> leaving = new HashSet<>();
    private long partitionId;
    private int nextNodeIndex;
    private boolean stopped;

    public Nemesis(World<?> world, NemesisOptions options, int initialNodes) {
        this.world = world;
        this.options = options;
        this.random = world.random();
        this.nextNodeIndex = initialNodes + 1;
    }

    /** Schedules the first step and the start of the quiet period. */
    public void start() {
        if (options.mix().total() > 0) {
            world.schedule(options.faultIntervalMillis().draw(random), new SimEvent.NemesisStep(new Tick()));
        }
        world.schedule(world.faultsEndMillis(), new SimEvent.NemesisStep(new StopFaults()));
    }

    public void on(Action action) {
        if (action instanceof Tick) {
            onTick();
        } else if (action instanceof Resume r) {
            if (world.canAct(r.node()) && world.status(r.node()) == NodeStatus.PAUSED) {
                world.resume(r.node());
            }
        } else if (action instanceof Heal h) {
            if (h.partitionId() == partitionId && !world.currentPartition().isNone()) {
                world.heal();
            }
        } else if (action instanceof Restart r) {
            onRestart(r.name());
        } else if (action instanceof StopFaults) {
            onStopFaults();
        }
    }

    /** The world tells the nemesis about every stop, so it can restart crashed and downed nodes. */
    public void onStopped(SimNodeId id, StopCause cause) {
        leaving.remove(id);
        if (cause == StopCause.LEFT) {
            retired.add(id.name());
            return;
        }
        long delay = stopped ? QUIET_RESTART.draw(random) : options.restartDelay().draw(random);
        world.schedule(delay, new SimEvent.NemesisStep(new Restart(id.name())));
    }

    private void onTick() {
        if (stopped) {
            return;
        }
        FaultMix.Kind kind = options.mix().pick(random);
        switch (kind) {
            case CRASH -> pickVictim().ifPresent(world::crash);
            case SHORT_PAUSE -> pause(options.shortPause());
            case LONG_PAUSE -> pause(options.longPause());
            case SHORT_PARTITION -> partition(options.shortPartition());
            case LONG_PARTITION -> partition(options.longPartition());
            case CONNECTION_DROP -> dropConnection();
            case ADD_NODE -> addNode();
            case LEAVE -> leave();
        }
        world.schedule(options.faultIntervalMillis().draw(random), new SimEvent.NemesisStep(new Tick()));
    }

    private void onRestart(String name) {
        if (retired.contains(name) || world.latest(name).map(world::canAct).orElse(false)) {
            return;
        }
        if (!world.currentPartition().isNone()) {
            world.schedule(RETRY_MILLIS, new SimEvent.NemesisStep(new Restart(name)));
            return;
        }
        world.start(name);
    }

    private void onStopFaults() {
        stopped = true;
        if (!world.currentPartition().isNone()) {
            world.heal();
        }
        for (SimNodeId id : world.alive()) {
            if (world.status(id) == NodeStatus.PAUSED) {
                world.resume(id);
            }
        }
        for (String name : world.names()) {
            onRestart(name);
        }
    }

    /** A running node whose loss keeps a healthy majority: a non-member, or a healthy member if allowed. */
    private Optional<SimNodeId> pickVictim() {
        List<SimNodeId> members = world.members();
        List<SimNodeId> candidates = new ArrayList<>();
        for (SimNodeId id : world.alive()) {
            if (world.status(id) != NodeStatus.RUNNING) {
                continue;
            }
            boolean member = members.contains(id);
            if (!member || (healthy(id) && 2 * (healthyCount() - 1) > members.size())) {
                candidates.add(id);
            }
        }
        return candidates.isEmpty() ? Optional.empty()
                : Optional.of(candidates.get(random.nextInt(candidates.size())));
    }

    private void pause(MillisRange duration) {
        pickVictim().ifPresent(id -> {
            world.pause(id);
            world.schedule(duration.draw(random), new SimEvent.NemesisStep(new Resume(id)));
        });
    }

    private void partition(MillisRange duration) {
        if (!world.currentPartition().isNone()) {
            return;
        }
        List<SimNodeId> members = world.members();
        int healthy = healthyCount();
        int maxMinority = healthy - members.size() / 2 - 1; // healthy left on the main side must stay a majority
        if (maxMinority < 1) {
            return;
        }
        List<SimNodeId> shuffled = new ArrayList<>(members);
        shuffle(shuffled);
        int size = 1 + random.nextInt(maxMinority);
        Set<String> minority = new TreeSet<>();
        for (SimNodeId id : shuffled) {
            if (minority.size() < size) {
                minority.add(id.name());
            }
        }
        Set<String> main = new TreeSet<>(world.names());
        main.removeAll(minority);
        long healthyMain = members.stream().filter(this::healthy).filter(m -> !minority.contains(m.name())).count();
        if (2 * healthyMain <= members.size()) {
            return;
        }
        partitionId++;
        world.partition(Partition.of(List.of(main, minority)));
        world.schedule(duration.draw(random), new SimEvent.NemesisStep(new Heal(partitionId)));
    }

    private void dropConnection() {
        List<SimNodeId> alive = world.alive();
        if (alive.size() < 2) {
            return;
        }
        SimNodeId a = alive.get(random.nextInt(alive.size()));
        SimNodeId b = alive.get(random.nextInt(alive.size()));
        if (!a.name().equals(b.name())) {
            world.dropConnection(a.name(), b.name(), options.connectionDown().draw(random));
        }
    }

    private void addNode() {
        if (world.alive().size() < options.maxNodes() && world.currentPartition().isNone()) {
            world.start("n" + nextNodeIndex++);
        }
    }

    private void leave() {
        List<SimNodeId> members = world.members();
        if (members.size() - 1 < options.minMembers() || !world.currentPartition().isNone()
                || 2 * (healthyCount() - 1) <= members.size() - 1) {
            return;
        }
        List<SimNodeId> candidates = members.stream().filter(this::healthy).toList();
        if (!candidates.isEmpty()) {
            SimNodeId id = candidates.get(random.nextInt(candidates.size()));
            leaving.add(id);
            world.leave(id);
        }
    }

    private boolean healthy(SimNodeId member) {
        return world.status(member) == NodeStatus.RUNNING && !leaving.contains(member)
                && world.currentPartition().groupOf(member.name()) == 0;
    }

    private int healthyCount() {
        return (int) world.members().stream().filter(this::healthy).count();
    }

    private void shuffle(List<SimNodeId> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            SimNodeId t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
