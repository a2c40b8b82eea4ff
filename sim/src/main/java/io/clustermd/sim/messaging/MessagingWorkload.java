package io.clustermd.sim.messaging;

import io.clustermd.messaging.core.CommCore;
import io.clustermd.sim.MillisRange;
import io.clustermd.sim.NodeStatus;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.SimOptions;
import io.clustermd.sim.World;
import io.clustermd.sim.Workload;
import io.clustermd.sim.WorkloadContext;
import io.clustermd.sim.messaging.MsgSimMessage.AddDiskCall;
import io.clustermd.sim.messaging.MsgSimMessage.SendCall;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The clients and the targeted nemesis. Clients: bursts of sends of every message type on random ready
 * nodes, several outstanding per node (they queue behind each other as the kernel's send lock makes them),
 * and now and then an add-disk sequence under one held token; new sends stop a few seconds into the quiet
 * period so that all of them can complete. Targeted crashes: every second or two of the fault period one
 * more {@link Phase} is armed (each once per round, in a shuffled order); the first node to settle in an
 * armed phase is crashed (if the cluster keeps a healthy majority without it, the engine nemesis's rule), so the sender dies at every step of the send sequence and
 * receivers die before and after processing.
 */
final class MessagingWorkload implements Workload<MsgSimMessage>, MessagingModel.Crasher {

    static final MillisRange CALL_INTERVAL = MillisRange.of(5, 200);
    static final MillisRange ARM_INTERVAL = MillisRange.of(500, 2_500);
    static final int OUTSTANDING_PER_NODE_MAX = 4;
    /** Sends in progress cluster-wide: broadcasts are serial, so more would only queue. */
    static final int OUTSTANDING_MAX = 12;
    /** Time from the end of faults to the last new send: the rest of the quiet period lets them complete. */
    static final long SENDS_AFTER_FAULTS_MILLIS = 2_000;

    private static final Object CALL = "call";
    private static final Object ARM = "arm";

    /** Crash {@code node} if it is still in {@code phase}. */
    private record Crash(SimNodeId node, Phase phase) {}

    private final MessagingModel model;
    private final long sendsEndMillis;
    private WorkloadContext<MsgSimMessage> ctx;
    private World<?> world;
    /** Phases are armed in a shuffled order, each once per round, so that every run aims at many of them. */
    private final Phase[] armOrder = Phase.values();
    private int nextArm;

    MessagingWorkload(MessagingModel model, SimOptions options) {
        this.model = model;
        this.sendsEndMillis = Math.min(options.faultsEndMillis() + SENDS_AFTER_FAULTS_MILLIS,
                options.faultsEndMillis() + options.quietMillis() / 3);
    }

    @Override
    public void onStart(WorkloadContext<MsgSimMessage> c) {
        this.ctx = c;
        // The targeted crashes need the engine's fault operations, which the Nemesis uses; the workload's
        // view of the world is that same World.
        this.world = (World<?>) c.world();
        model.attach(c.world(), this);
        c.setTimer(CALL_INTERVAL.draw(c.random()), CALL);
        c.setTimer(ARM_INTERVAL.draw(c.random()), ARM);
    }

    @Override
    public void onTimer(Object token, WorkloadContext<MsgSimMessage> c) {
        if (token == CALL) {
            if (c.now() < sendsEndMillis) {
                call(c);
                c.setTimer(CALL_INTERVAL.draw(c.random()), CALL);
            }
        } else if (token == ARM) {
            if (!c.world().quiet()) {
                if (nextArm % armOrder.length == 0) {
                    shuffle(armOrder, c.random());
                }
                model.arm(armOrder[nextArm++ % armOrder.length]);
                c.setTimer(ARM_INTERVAL.draw(c.random()), ARM);
            } else {
                model.disarm();
            }
        } else if (token instanceof Crash k) {
            crash(k, c);
        }
    }

    private void call(WorkloadContext<MsgSimMessage> c) {
        RandomGenerator random = c.random();
        if (model.outstanding() >= OUTSTANDING_MAX) {
            return;
        }
        List<SimNodeId> clients = c.world().alive().stream().filter(this::client).toList();
        if (clients.isEmpty()) {
            return;
        }
        SimNodeId n = clients.get(random.nextInt(clients.size()));
        if (random.nextInt(100) < 7) {
            MessagingModel.SendRecord disk = model.newMessage(random, 2);
            MessagingModel.SendRecord meta = model.newMessage(random, 0);
            model.submitted(disk.id, n);
            model.submitted(meta.id, n);
            c.submit(n, new AddDiskCall(disk.id, disk.message, meta.id, meta.message));
            return;
        }
        int burst = 1 + random.nextInt(3);
        for (int i = 0; i < burst && model.outstanding(n) < OUTSTANDING_PER_NODE_MAX; i++) {
            MessagingModel.SendRecord r = model.newMessage(random);
            model.submitted(r.id, n);
            c.submit(n, new SendCall(r.id, r.message));
        }
    }

    /** A node whose communication is ready and that is not leaving, with room for more sends. */
    private boolean client(SimNodeId id) {
        MessagingModel.NodeState n = model.node(id);
        return n.core != null && n.core.state() == CommCore.State.READY && !n.leaving
                && model.outstanding(id) < OUTSTANDING_PER_NODE_MAX;
    }

    @Override
    public void crashSoon(SimNodeId node, Phase phase) {
        ctx.setTimer(0, new Crash(node, phase));
    }

    private static void shuffle(Phase[] a, RandomGenerator random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Phase t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Override
    public boolean mayCrash(SimNodeId node) {
        return world.canAct(node) && survivable(node);
    }

    /** The node stopped acting when the crash was decided (the process is doomed); now it dies. */
    private void crash(Crash k, WorkloadContext<MsgSimMessage> c) {
        if (!world.canAct(k.node())) {
            return; // stopped at the same instant by the engine (downed, left)
        }
        c.trace("targeted crash of " + k.node() + " in " + k.phase());
        model.crashed(k.phase());
        world.crash(k.node());
    }

    /**
     * The engine nemesis's rule: a non-member may always die; a member only if it is healthy (running, on the
     * main side, not leaving) and the healthy members left are a strict majority.
     */
    private boolean survivable(SimNodeId victim) {
        List<SimNodeId> members = world.members();
        if (!members.contains(victim)) {
            return true;
        }
        if (!healthy(victim)) {
            return false;
        }
        long healthy = members.stream().filter(this::healthy).count();
        return 2 * (healthy - 1) > members.size();
    }

    private boolean healthy(SimNodeId member) {
        return world.status(member) == NodeStatus.RUNNING && !model.node(member).leaving
                && world.currentPartition().groupOf(member.name()) == 0
                && world.view(member).map(v -> !v.leaving().contains(member)).orElse(false);
    }
}
