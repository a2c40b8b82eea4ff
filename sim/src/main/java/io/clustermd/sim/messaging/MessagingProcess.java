package io.clustermd.sim.messaging;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.CallbackFilter;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.SbFlag;
import io.clustermd.dlm.core.cluster.LockspaceNode;
import io.clustermd.dlm.core.cluster.NodeEffect;
import io.clustermd.messaging.core.CommCore;
import io.clustermd.messaging.core.CommEffect;
import io.clustermd.messaging.core.CommInput;
import io.clustermd.messaging.core.CommLock;
import io.clustermd.messaging.core.Outcome;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.Message;
import io.clustermd.messaging.message.MessageType;
import io.clustermd.sim.MemberEvent;
import io.clustermd.sim.ProcessContext;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.SimProcess;
import io.clustermd.sim.StopCause;
import io.clustermd.sim.View;
import io.clustermd.sim.messaging.MsgSimMessage.AddDiskCall;
import io.clustermd.sim.messaging.MsgSimMessage.SendCall;
import io.clustermd.sim.messaging.MsgSimMessage.Wire;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One node incarnation of the messaging scenario: what {@code io.clustermd.messaging.Communicator} does over
 * a {@code Lockspace}, here over the node's own {@link LockspaceNode} and reliable links
 * ({@link LockspaceHost}). Every input — a request, a lock completion or blocking callback, the handler's
 * answer, a tick — goes through one mailbox and is fed to the {@link CommCore} in order; its effects become
 * lock, convert, cancel and unlock calls on the node (per lock, callbacks keep the DLM's order and pass the
 * holder-side {@link CallbackFilter}, as {@code ClusterLock} does), receipt probes, handler runs and request
 * completions. The core's deadlines become timers. The node's md slot is its DLM slot (from recover_done);
 * it joins communication then, and becomes ready as soon as it joined.
 */
final class MessagingProcess implements SimProcess<MsgSimMessage> {

    private static final Object COMM_TICK = "comm-tick";
    private static final long JOIN_RETRY_MILLIS = 500;

    /** The handler finished message {@code seq}. */
    private record HandlerDone(long seq) {}

    /** The operator's answer to a NEWDISK being processed. */
    private record NewDiskDue(long seq, boolean found) {}

    private record JoinRetry() {}

    /** One lock of this node: a communication lock, or a probe of a slot's receipt. */
    private static final class Handle {
        final CommLock kind;
        final ProbeBatch probe;
        final MdSlot probeSlot;
        final LockId id;
        final byte[] lvb;
        final boolean wantsBast;
        final CallbackFilter filter = new CallbackFilter();

        Handle(CommLock kind, ProbeBatch probe, MdSlot probeSlot, LockId id, byte[] lvb, boolean wantsBast) {
            this.kind = kind;
            this.probe = probe;
            this.probeSlot = probeSlot;
            this.id = id;
            this.lvb = lvb;
            this.wantsBast = wantsBast;
        }
    }

    /** The receipts one ReadReceipts effect asked for. */
    private static final class ProbeBatch {
        final int expected;
        final Map<MdSlot, byte[]> read = new TreeMap<>();

        ProbeBatch(int expected) {
            this.expected = expected;
        }
    }

    /** What a ticket was for. */
    private sealed interface Request {
        record Join() implements Request {}

        record Ready() implements Request {}

        /** Leave communication; {@code rejoin}: to start over after the core broke (an operator's remedy). */
        record Leave(boolean rejoin) implements Request {}

        record Send(long id) implements Request {}

        record NewDiskAnswer() implements Request {}

        record Hold(AddDisk op) implements Request {}

        record HeldSend(AddDisk op, long id) implements Request {}

        record Claim(AddDisk op) implements Request {}

        record Unlock(AddDisk op) implements Request {}
    }

    /** An add-disk sequence in progress. */
    private static final class AddDisk {
        final AddDiskCall call;
        long hold;

        AddDisk(AddDiskCall call) {
            this.call = call;
        }
    }

    private final MessagingModel model;
    private final MessagingModel.NodeState state;
    private final SimNodeId id;
    private final LockspaceHost host;
    private CommCore core;
    private ProcessContext<MsgSimMessage> ctx;
    private final ArrayDeque<CommInput> mailbox = new ArrayDeque<>();
    private final EnumMap<CommLock, Handle> locks = new EnumMap<>(CommLock.class);
    private final Map<LockId, Handle> byId = new HashMap<>();
    /** What the shell knows of each lock: granted mode and the mode an operation in flight asks for. */
    private final EnumMap<CommLock, LockMode> granted = new EnumMap<>(CommLock.class);
    private final EnumMap<CommLock, LockMode> asked = new EnumMap<>(CommLock.class);
    private final Map<Long, Request> tickets = new HashMap<>();
    private long lastTicket;
    private long tickTimerId = -1;
    private long tickAt = Long.MAX_VALUE;
    /** The message the handler is processing (seq → envelope), and whether it finished. */
    private Envelope handling;
    private boolean handled;
    private boolean leaveWanted;
    private boolean leaveRequested;
    /** Left a broken core to join again. */
    private boolean rejoining;
    /** Grants the core saw during this event (for the crash phases). */
    private boolean messageExGranted;
    private boolean ackExGranted;
    /** A targeted crash of this node is due at this instant. */
    private boolean doomed;
    /** Token holds granted and not yet unlocked (add-disk). */
    private int holds;

    MessagingProcess(MessagingModel model, SimNodeId id) {
        this.model = model;
        this.id = id;
        this.host = new LockspaceHost(id, SimLvbFormat.LVB_BYTES, this::onNodeEffect);
        this.state = model.started(id, this);
    }

    // ---------------------------------------------------------------- SimProcess

    @Override
    public void onStart(ProcessContext<MsgSimMessage> c) {
        run(c, () -> host.start(c));
    }

    @Override
    public void onMessage(SimNodeId from, MsgSimMessage message, ProcessContext<MsgSimMessage> c) {
        if (!(message instanceof Wire w)) {
            throw new IllegalArgumentException(id + " got a client call over the network: " + message);
        }
        run(c, () -> host.onWire(from, w, c));
    }

    @Override
    public void onViewChange(View view, ProcessContext<MsgSimMessage> c) {
        run(c, () -> {
            host.onViewChange(view, c);
            if (view.change().orElse(null) instanceof MemberEvent.MemberLeft l && l.member().equals(id)) {
                leaveWanted = true;
                model.leaveStarted(id);
                startLeave();
            }
        });
    }

    @Override
    public void onTimer(Object token, ProcessContext<MsgSimMessage> c) {
        run(c, () -> {
            if (host.onTimer(token, c)) {
                return;
            }
            if (token == COMM_TICK) {
                tickTimerId = -1;
                tickAt = Long.MAX_VALUE;
                post(new CommInput.Tick());
            } else if (token instanceof HandlerDone d) {
                finishHandler(d.seq());
            } else if (token instanceof NewDiskDue d) {
                long t = ticket(new Request.NewDiskAnswer());
                post(new CommInput.NewDiskAnswer(t, d.found()));
            } else if (token instanceof JoinRetry) {
                join();
            }
        });
    }

    @Override
    public void onRequest(MsgSimMessage request, ProcessContext<MsgSimMessage> c) {
        run(c, () -> {
            if (request instanceof SendCall s) {
                if (core == null || leaveWanted) {
                    model.sendFinished(s.id(), null, "send " + s.message().type() + " m" + s.id()
                            + " refused: " + (core == null ? "communication not joined" : "leaving"));
                    return;
                }
                post(new CommInput.Send(ticket(new Request.Send(s.id())), s.message()));
            } else if (request instanceof AddDiskCall a) {
                if (core == null || leaveWanted) {
                    model.sendFinished(a.newDiskId(), null, "add-disk refused: not joined or leaving");
                    model.sendFinished(a.metadataId(), null, "add-disk refused: not joined or leaving");
                    return;
                }
                AddDisk op = new AddDisk(a);
                post(new CommInput.LockToken(ticket(new Request.Hold(op))));
            } else {
                throw new IllegalArgumentException(id + " cannot run " + request);
            }
        });
    }

    @Override
    public boolean readyToExit() {
        return state.readyToExit;
    }

    @Override
    public void onStop(StopCause cause) {
        model.stopped(id, cause);
    }

    // ---------------------------------------------------------------- the mailbox

    /** Runs one event: its work, then every input it posted, then the timers and the checks. */
    private void run(ProcessContext<MsgSimMessage> c, Runnable work) {
        if (doomed) {
            return; // a targeted crash is due at this instant: the node is already dead in effect
        }
        this.ctx = c;
        messageExGranted = false;
        ackExGranted = false;
        work.run();
        while (!mailbox.isEmpty()) {
            step(mailbox.poll());
            if (core != null && core.state() == CommCore.State.BROKEN && !rejoining && !leaveRequested) {
                // The core cannot go on (a cancel never completed); as an operator would, leave and join again.
                rejoining = true;
                model.commLeft(id);
                post(new CommInput.Leave(ticket(new Request.Leave(true))));
            }
        }
        scheduleTick();
        host.settle(c);
        doomed = model.settled(id, phase());
    }

    private void post(CommInput input) {
        mailbox.add(input);
    }

    private long ticket(Request r) {
        long t = ++lastTicket;
        tickets.put(t, r);
        return t;
    }

    private void step(CommInput input) {
        if (core == null) {
            return; // nothing joined yet: a stray completion
        }
        if (input instanceof CommInput.Send s) {
            model.sendRequested(((Request.Send) tickets.get(s.ticket())).id(), id, ctx.now());
        } else if (input instanceof CommInput.SendHeld s) {
            model.sendRequested(((Request.HeldSend) tickets.get(s.ticket())).id(), id, ctx.now());
        }
        if (!(input instanceof CommInput.Tick || input instanceof CommInput.ReceiptsRead)) {
            ctx.trace("comm in " + input);
        } else if (input instanceof CommInput.ReceiptsRead r) {
            ctx.trace("comm in receipts read " + r.lvbs().keySet());
        }
        if (input instanceof CommInput.LockDone d && d.status() == DlmStatus.OK && d.mode() == LockMode.EX
                && core.state() != CommCore.State.JOINING) {
            messageExGranted |= d.lock() == CommLock.MESSAGE;
            ackExGranted |= d.lock() == CommLock.ACK;
        }
        List<CommEffect> effects = core.step(input, ctx.now());
        core.checkInvariants();
        for (CommEffect e : effects) {
            execute(e);
        }
    }

    private void scheduleTick() {
        long deadline = core == null ? Long.MAX_VALUE : core.nextDeadline();
        if (deadline == tickAt) {
            return;
        }
        if (tickTimerId >= 0) {
            ctx.cancelTimer(tickTimerId);
            tickTimerId = -1;
        }
        tickAt = deadline;
        if (deadline != Long.MAX_VALUE) {
            tickTimerId = ctx.setTimer(Math.max(0, deadline - ctx.now()), COMM_TICK);
        }
    }

    // ---------------------------------------------------------------- the core's effects

    private void execute(CommEffect e) {
        if (!(e instanceof CommEffect.Note)) {
            ctx.trace("comm " + e);
        }
        if (e instanceof CommEffect.Request r) {
            request(r);
        } else if (e instanceof CommEffect.Convert c) {
            convert(c);
        } else if (e instanceof CommEffect.Cancel c) {
            Handle h = locks.get(c.lock());
            if (h != null) {
                call(h.kind, node().cancel(h.id, ctx.now()), null, "cancel");
            }
        } else if (e instanceof CommEffect.Unlock u) {
            Handle h = locks.remove(u.lock());
            if (h == null) {
                post(new CommInput.LockRefused(u.lock(), "this node holds no " + u.lock() + " lock"));
                return;
            }
            asked.remove(u.lock());
            call(u.lock(), node().unlock(h.id, LockFlags.of(LockFlag.FORCEUNLOCK), h.lvb, ctx.now()), null, "unlock");
        } else if (e instanceof CommEffect.ReadReceipts r) {
            readReceipts(r.slots());
        } else if (e instanceof CommEffect.Process p) {
            startHandler(p.envelope());
        } else if (e instanceof CommEffect.Succeed s) {
            completed(s.ticket(), s.outcome(), null);
        } else if (e instanceof CommEffect.Fail f) {
            completed(f.ticket(), null, f.failure().toString());
        } else if (e instanceof CommEffect.Note n) {
            ctx.trace(n.event() + " " + n.detail());
        }
    }

    private LockspaceNode node() {
        return host.node();
    }

    private void request(CommEffect.Request r) {
        CommLock kind = r.lock();
        byte[] lvb = kind.hasLvb() ? new byte[SimLvbFormat.LVB_BYTES] : null;
        boolean bast = kind == CommLock.ACK;
        LockspaceNode.Result result = node().lock(kind.resource(core.self()), r.mode(), r.flags(), lvb, bast, ctx.now());
        if (result instanceof LockspaceNode.Result.Accepted a) {
            Handle h = new Handle(kind, null, null, a.lock(), lvb, bast);
            locks.put(kind, h);
            byId.put(a.lock(), h);
            asked.put(kind, r.mode());
        }
        call(kind, result, null, "lock");
    }

    private void convert(CommEffect.Convert c) {
        Handle h = locks.get(c.lock());
        if (h == null) {
            post(new CommInput.LockRefused(c.lock(), "this node holds no " + c.lock() + " lock"));
            return;
        }
        if (c.lvb() != null) {
            System.arraycopy(c.lvb(), 0, h.lvb, 0, h.lvb.length);
        }
        asked.put(c.lock(), c.mode());
        call(c.lock(), node().convert(h.id, c.mode(), c.flags(), h.lvb, ctx.now()), null, "convert");
    }

    /** Carries out an accepted call's effects, or turns a refusal into {@link CommInput.LockRefused}. */
    private void call(CommLock kind, LockspaceNode.Result result, Consumer<String> onRefused, String what) {
        if (result instanceof LockspaceNode.Result.Accepted a) {
            host.apply(a.effects(), ctx);
        } else if (result instanceof LockspaceNode.Result.Rejected j) {
            String why = j.error() + ": " + j.reason();
            if (onRefused != null) {
                onRefused.accept(why);
            } else if (what.equals("cancel")) {
                ctx.trace("cancel of " + kind + " refused: " + why);
            } else {
                asked.remove(kind);
                post(new CommInput.LockRefused(kind, why));
            }
        }
    }

    /** Reads each slot's receipt as the shell does: a CR request with VALBLK, then unlock. */
    private void readReceipts(List<MdSlot> slots) {
        ProbeBatch batch = new ProbeBatch(slots.size());
        for (MdSlot slot : slots) {
            byte[] lvb = new byte[SimLvbFormat.LVB_BYTES];
            LockspaceNode.Result r = node().lock(CommLock.receipt(slot), LockMode.CR, LockFlags.of(LockFlag.VALBLK), lvb,
                    false, ctx.now());
            if (r instanceof LockspaceNode.Result.Accepted a) {
                byId.put(a.lock(), new Handle(null, batch, slot, a.lock(), lvb, false));
                host.apply(a.effects(), ctx);
            } else {
                probed(batch, slot, null);
            }
        }
    }

    private void probed(ProbeBatch batch, MdSlot slot, byte[] lvb) {
        if (batch.read.containsKey(slot)) {
            return;
        }
        batch.read.put(slot, lvb);
        if (batch.read.size() == batch.expected) {
            post(new CommInput.ReceiptsRead(batch.read));
        }
    }

    // ---------------------------------------------------------------- the DLM's effects

    private void onNodeEffect(NodeEffect e) {
        if (e instanceof NodeEffect.Completed c) {
            onCompleted(c);
        } else if (e instanceof NodeEffect.Blocked b) {
            Handle h = byId.get(b.lock());
            if (h != null && h.wantsBast && h.filter.admitBlocking(b.mode())) {
                post(new CommInput.Blocking(h.kind, b.mode()));
            }
        } else if (e instanceof NodeEffect.Failed f) {
            Handle h = byId.get(f.lock());
            if (h == null) {
                return;
            }
            if (h.probe != null) {
                probed(h.probe, h.probeSlot, null);
            } else {
                asked.remove(h.kind);
                post(new CommInput.LockRefused(h.kind, f.error() + ": " + f.reason()));
            }
        } else if (e instanceof NodeEffect.RecoverDone d) {
            ctx.trace("recover_done generation " + d.generation() + " our slot " + d.ourSlot());
            if (core == null) {
                MdSlot slot = MdSlot.fromDlmSlotNumber(d.ourSlot());
                core = new CommCore(slot, MessagingScenario.MD_SLOTS, MessagingScenario.COMM_OPTIONS, model.format());
                model.joined(id, core);
                join();
            }
        } else if (e instanceof NodeEffect.ReadyToLeave) {
            state.readyToExit = true;
        } else if (e instanceof NodeEffect.JoinRefused j) {
            ctx.trace("lockspace join refused: " + j.reason());
        } else {
            ctx.trace(SimText.describe(e));
        }
    }

    private void onCompleted(NodeEffect.Completed c) {
        Handle h = byId.get(c.lock());
        if (h == null) {
            ctx.trace("completion for an unknown lock " + c.lock());
            return;
        }
        if (c.lvb() != null && h.lvb != null) {
            System.arraycopy(c.lvb(), 0, h.lvb, 0, Math.min(h.lvb.length, c.lvb().length));
        }
        h.filter.completed(c.mode());
        if (c.mode() == null) {
            byId.remove(c.lock());
            if (h.kind != null && locks.get(h.kind) == h) {
                locks.remove(h.kind);
            }
        }
        if (h.probe != null) {
            if (c.mode() != null) {
                probed(h.probe, h.probeSlot, c.status() == DlmStatus.OK ? h.lvb.clone() : null);
                if (c.status() == DlmStatus.OK) {
                    host.apply(okOrNothing(node().unlock(h.id, LockFlags.NONE, h.lvb, ctx.now())), ctx);
                }
            } else {
                probed(h.probe, h.probeSlot, null);
            }
            return;
        }
        if (c.mode() == null) {
            granted.remove(h.kind);
        } else {
            granted.put(h.kind, c.mode());
        }
        asked.remove(h.kind);
        post(new CommInput.LockDone(h.kind, c.status(), c.mode(), h.lvb == null ? null : h.lvb.clone(),
                SbFlag.isSet(c.sbFlags(), SbFlag.VALNOTVALID)));
    }

    private static List<NodeEffect> okOrNothing(LockspaceNode.Result r) {
        return r instanceof LockspaceNode.Result.Accepted a ? a.effects() : List.of();
    }

    // ---------------------------------------------------------------- the handler

    /** Hands the message to the handler: most answer at once, some take a while, a few take seconds. */
    private void startHandler(Envelope e) {
        handling = e;
        handled = false;
        model.processingStarted(id, e);
        long delay = model.handlerDelay(ctx.random());
        if (delay == 0) {
            finishHandler(e.seq());
        } else {
            ctx.setTimer(delay, new HandlerDone(e.seq()));
        }
    }

    private void finishHandler(long seq) {
        if (handling == null || handling.seq() != seq || handled) {
            return;
        }
        handled = true;
        model.processed(id, handling);
        post(new CommInput.Processed(seq));
        if (handling.message().type() == MessageType.NEWDISK) {
            int dice = ctx.random().nextInt(100);
            if (dice < 97) {
                ctx.setTimer(ctx.random().nextLong(0, 100), new NewDiskDue(seq, dice < 80));
            } // else: nobody confirms; the receiver's bounded wait (5 s) expires
        }
    }

    // ---------------------------------------------------------------- membership

    private void join() {
        if (!leaveWanted) {
            post(new CommInput.Join(ticket(new Request.Join())));
        }
    }

    private void startLeave() {
        if (leaveRequested) {
            return;
        }
        if (rejoining && core.state() == CommCore.State.LEAVING) {
            leaveRequested = true; // the rejoin's leave runs; its completion sees leaveWanted and leaves the lockspace
            return;
        }
        if (core == null || core.state() == CommCore.State.NEW || core.state() == CommCore.State.LEFT) {
            leaveRequested = true;
            host.leave(ctx);
        } else if (core.state() != CommCore.State.JOINING) {
            leaveRequested = true;
            post(new CommInput.Leave(ticket(new Request.Leave(false))));
        } // JOINING: leave once the join completed
    }

    private void completed(long ticket, Outcome outcome, String failure) {
        Request r = tickets.remove(ticket);
        if (r == null) {
            throw new IllegalStateException(id + ": completion of unknown ticket #" + ticket);
        }
        if (r instanceof Request.Join) {
            if (failure == null) {
                if (leaveWanted) {
                    startLeave();
                } else {
                    post(new CommInput.Ready(ticket(new Request.Ready())));
                }
            } else {
                ctx.trace("join failed: " + failure + "; retrying in " + JOIN_RETRY_MILLIS + " ms");
                if (leaveWanted) {
                    startLeave();
                } else {
                    ctx.setTimer(JOIN_RETRY_MILLIS, new JoinRetry());
                }
            }
        } else if (r instanceof Request.Ready) {
            if (failure == null) {
                model.ready(id);
            } else {
                ctx.trace("ready failed: " + failure);
            }
        } else if (r instanceof Request.Leave l) {
            ctx.trace("communication left" + (failure == null ? "" : ": " + failure));
            if (l.rejoin() && !leaveWanted) {
                rejoining = false;
                join();
            } else if (leaveWanted) {
                host.leave(ctx);
            }
        } else if (r instanceof Request.Send s) {
            model.sendFinished(s.id(), outcome, failure);
        } else if (r instanceof Request.NewDiskAnswer) {
            if (failure != null) {
                ctx.trace("new-disk answer refused: " + failure);
            }
        } else {
            addDiskStep(r, outcome, failure);
        }
    }

    /** The add-disk sequence: hold, NEWDISK, claim no-new-dev, METADATA_UPDATED, unlock (any failure: unlock). */
    private void addDiskStep(Request r, Outcome outcome, String failure) {
        if (r instanceof Request.Hold h) {
            AddDisk op = h.op();
            if (failure != null) {
                model.sendFinished(op.call.newDiskId(), null, failure + " (add-disk: token hold for NEWDISK m"
                        + op.call.newDiskId() + ")");
                model.sendFinished(op.call.metadataId(), null, failure + " (add-disk: token hold for METADATA_UPDATED m"
                        + op.call.metadataId() + ")");
                return;
            }
            op.hold = ((Outcome.Held) outcome).hold();
            holds++;
            post(new CommInput.SendHeld(ticket(new Request.HeldSend(op, op.call.newDiskId())), op.hold,
                    op.call.newDisk()));
        } else if (r instanceof Request.HeldSend s) {
            AddDisk op = s.op();
            model.sendFinished(s.id(), outcome, failure);
            if (s.id() == op.call.newDiskId()) {
                if (failure == null) {
                    post(new CommInput.ClaimNoNewDev(ticket(new Request.Claim(op)), op.hold));
                } else {
                    model.sendFinished(op.call.metadataId(), null, "METADATA_UPDATED m" + op.call.metadataId()
                            + " not sent: NEWDISK failed");
                    post(new CommInput.UnlockToken(ticket(new Request.Unlock(op)), op.hold));
                }
            } else {
                post(new CommInput.UnlockToken(ticket(new Request.Unlock(op)), op.hold));
            }
        } else if (r instanceof Request.Claim c) {
            AddDisk op = c.op();
            ctx.trace("add-disk claim: " + (failure != null ? failure : outcome));
            post(new CommInput.SendHeld(ticket(new Request.HeldSend(op, op.call.metadataId())), op.hold,
                    op.call.metadata()));
        } else if (r instanceof Request.Unlock) {
            holds--;
            if (failure != null) {
                ctx.trace("add-disk unlock: " + failure);
            }
        }
    }

    // ---------------------------------------------------------------- what the scenario can see

    /** Where this node is in a broadcast right now (between events), or null. */
    private Phase phase() {
        if (core == null) {
            return null;
        }
        LockMode token = granted.get(CommLock.TOKEN);
        LockMode ack = granted.get(CommLock.ACK);
        LockMode message = granted.get(CommLock.MESSAGE);
        if (core.state() == CommCore.State.JOINING) {
            return token == LockMode.EX ? Phase.JOIN_TOKEN_EX : null;
        }
        if (handling != null && !handled && message == LockMode.CR) {
            return Phase.RECV_PROCESSING;
        }
        if (ackExGranted) {
            return Phase.SEND_ACK_EX;
        }
        if (messageExGranted) {
            return Phase.SEND_MESSAGE_EX;
        }
        if (token == LockMode.EX) {
            if (asked.get(CommLock.MESSAGE) == LockMode.EX) {
                return Phase.SEND_TOKEN_EX;
            }
            if (asked.get(CommLock.ACK) == LockMode.EX && message == LockMode.CW) {
                return Phase.SEND_ACK_WAIT;
            }
            boolean between = !asked.containsKey(CommLock.MESSAGE) && !asked.containsKey(CommLock.ACK)
                    && !asked.containsKey(CommLock.TOKEN);
            return message == LockMode.NL && between && holds > 0 ? Phase.HOLDS_TOKEN : null;
        }
        if (asked.get(CommLock.TOKEN) == LockMode.EX) {
            return Phase.SEND_TOKEN_WAIT;
        }
        if (handling != null && handled && message == LockMode.CR && ack == LockMode.CR) {
            return Phase.RECV_PROCESSED;
        }
        if (ack == LockMode.NL && asked.get(CommLock.MESSAGE) == LockMode.PR) {
            return Phase.RECV_ACKED;
        }
        return null;
    }

    /** Whether the handler is still working on a message (for the end-of-run check). */
    boolean handlerBusy() {
        return handling != null && !handled;
    }

    LockspaceNode lockspace() {
        return host.node();
    }
}
