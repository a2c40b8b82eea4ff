package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.sim.MillisRange;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.SimOptions;
import io.clustermd.sim.Workload;
import io.clustermd.sim.WorkloadContext;
import io.clustermd.sim.dlm.DlmSimMessage.CancelCall;
import io.clustermd.sim.dlm.DlmSimMessage.ConvertCall;
import io.clustermd.sim.dlm.DlmSimMessage.LockCall;
import io.clustermd.sim.dlm.DlmSimMessage.UnlockCall;
import io.clustermd.sim.dlm.LockRecord.OpKind;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

/**
 * The clients: random lock, convert, unlock and cancel calls on every live node, over a few resource names
 * so that they contend, with random flags (NOQUEUE, NOQUEUEBAST, EXPEDITE, CONVDEADLK, QUECVT, VALBLK) and
 * LVB writes whenever a PW/EX holder releases with VALBLK. Some time into the quiet period it stops asking
 * for locks and drains: it cancels what waits and unlocks what is held, again and again, so that at the end
 * nothing may be left (the liveness checker's premise; deadlocked waiters are cancelled, as applications do).
 */
final class DlmWorkload implements Workload<DlmSimMessage> {

    static final int RESOURCES = 4;
    static final int LOCKS_PER_NODE_MAX = 4;
    static final MillisRange CALL_INTERVAL = MillisRange.of(5, 60);
    /** Time from the end of faults to the drain: enough for the last downings, restarts and recoveries. */
    static final long DRAIN_AFTER_FAULTS_MILLIS = 8_000;
    static final long DRAIN_PERIOD_MILLIS = 250;

    private static final Object CALL = "call";
    private static final Object DRAIN = "drain";

    private final DlmModel model;
    private final long drainAtMillis;
    private final List<ResourceName> resources =
            IntStream.range(0, RESOURCES).mapToObj(i -> ResourceName.of("r" + i)).toList();

    DlmWorkload(DlmModel model, SimOptions options) {
        this.model = model;
        this.drainAtMillis = Math.min(options.faultsEndMillis() + DRAIN_AFTER_FAULTS_MILLIS,
                options.faultsEndMillis() + options.quietMillis() / 2);
    }

    @Override
    public void onStart(WorkloadContext<DlmSimMessage> ctx) {
        ctx.setTimer(CALL_INTERVAL.draw(ctx.random()), CALL);
        ctx.setTimer(drainAtMillis, DRAIN);
    }

    @Override
    public void onTimer(Object token, WorkloadContext<DlmSimMessage> ctx) {
        if (token == CALL && ctx.now() < drainAtMillis) {
            List<SimNodeId> clients = clients(ctx);
            if (!clients.isEmpty()) {
                SimNodeId n = clients.get(ctx.random().nextInt(clients.size()));
                ctx.submit(n, call(model.node(n), ctx.random()));
            }
            ctx.setTimer(CALL_INTERVAL.draw(ctx.random()), CALL);
        } else if (token == DRAIN) {
            for (SimNodeId n : clients(ctx)) {
                for (LockRecord r : model.node(n).liveLocks()) {
                    if (r.inProgress() != null) {
                        ctx.submit(n, new CancelCall(r.id));
                    } else if (!r.has(OpKind.UNLOCK)) {
                        ctx.submit(n, unlock(r, ctx.random()));
                    }
                }
            }
            ctx.setTimer(DRAIN_PERIOD_MILLIS, DRAIN);
        }
    }

    /** Live nodes that are not leaving: those a client may call. */
    private List<SimNodeId> clients(WorkloadContext<DlmSimMessage> ctx) {
        return ctx.world().alive().stream().filter(n -> !model.node(n).leaving).toList();
    }

    private DlmSimMessage call(DlmModel.NodeState n, RandomGenerator random) {
        List<LockRecord> live = n.liveLocks();
        if (live.size() < LOCKS_PER_NODE_MAX && (live.isEmpty() || random.nextInt(10) < 4)) {
            return lock(random);
        }
        LockRecord r = live.get(random.nextInt(live.size()));
        int dice = random.nextInt(100);
        if (r.has(OpKind.UNLOCK)) {
            return new CancelCall(r.id); // nothing to cancel: must complete nothing
        }
        if (r.inProgress() != null) {
            return dice < 60 ? new CancelCall(r.id) : unlock(r, random);
        }
        if (dice < 55) {
            return convert(r, random);
        }
        return dice < 90 ? unlock(r, random) : new CancelCall(r.id);
    }

    private LockCall lock(RandomGenerator random) {
        ResourceName res = resources.get(random.nextInt(resources.size()));
        LockMode mode = DlmModel.MODES[random.nextInt(DlmModel.MODES.length)];
        boolean buffer = random.nextInt(100) < 60;
        LockFlags flags = LockFlags.NONE;
        int f = random.nextInt(100);
        if (f < 20) {
            flags = flags.with(LockFlag.NOQUEUE);
            if (random.nextBoolean()) {
                flags = flags.with(LockFlag.NOQUEUEBAST);
            }
        } else if (mode == LockMode.NL && f < 60) {
            flags = flags.with(LockFlag.EXPEDITE);
        }
        if (buffer && random.nextInt(100) < 75) {
            flags = flags.with(LockFlag.VALBLK);
        }
        return new LockCall(res, mode, flags, buffer);
    }

    private ConvertCall convert(LockRecord r, RandomGenerator random) {
        LockMode to = DlmModel.MODES[random.nextInt(DlmModel.MODES.length)];
        LockFlags flags = LockFlags.NONE;
        int f = random.nextInt(100);
        if (f < 15) {
            flags = flags.with(LockFlag.NOQUEUE);
            if (random.nextBoolean()) {
                flags = flags.with(LockFlag.NOQUEUEBAST);
            }
        } else if (f < 35) {
            flags = flags.with(LockFlag.CONVDEADLK);
        }
        boolean upward = r.granted.value() < to.value() || r.granted.isMiddleConversionTo(to);
        if (upward && random.nextInt(100) < 25) {
            flags = flags.with(LockFlag.QUECVT);
        }
        if (r.withBuffer && random.nextInt(100) < 70) {
            flags = flags.with(LockFlag.VALBLK);
        }
        return new ConvertCall(r.id, to, flags);
    }

    private static UnlockCall unlock(LockRecord r, RandomGenerator random) {
        return new UnlockCall(r.id, r.withBuffer && random.nextInt(100) < 40 ? LockFlags.of(LockFlag.VALBLK)
                : LockFlags.NONE);
    }
}
