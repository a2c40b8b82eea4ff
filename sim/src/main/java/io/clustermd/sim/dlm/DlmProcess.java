package io.clustermd.sim.dlm;

import io.clustermd.dlm.core.cluster.DlmMessage;
import io.clustermd.dlm.core.cluster.LockspaceNode;
import io.clustermd.dlm.core.cluster.NodeEffect;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.link.LinkEffect;
import io.clustermd.dlm.core.link.LinkOptions;
import io.clustermd.dlm.core.link.ReliableLink;
import io.clustermd.sim.MemberEvent;
import io.clustermd.sim.ProcessContext;
import io.clustermd.sim.SimNodeId;
import io.clustermd.sim.SimProcess;
import io.clustermd.sim.StopCause;
import io.clustermd.sim.View;
import io.clustermd.sim.dlm.DlmSimMessage.CancelCall;
import io.clustermd.sim.dlm.DlmSimMessage.ConvertCall;
import io.clustermd.sim.dlm.DlmSimMessage.LockCall;
import io.clustermd.sim.dlm.DlmSimMessage.UnlockCall;
import io.clustermd.sim.dlm.DlmSimMessage.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One node incarnation of the dlm scenario: what the Akka shell does, over the simulator. It owns one
 * {@link LockspaceNode} and one {@link ReliableLink} per peer, carries out every {@link NodeEffect}, ticks the
 * node and the links on timers, and turns the cluster's view into the lockspace's {@code View}: members are
 * removed only when the split brain resolver (or a clean leave) removed them, and a member removed with
 * previous status Exiting left cleanly. When the simulator stops the incarnation it acts no more; a restart
 * is a new incarnation with a new {@link NodeId}.
 */
final class DlmProcess implements SimProcess<DlmSimMessage> {

    static final String LOCKSPACE = "sim";
    /** fs/dlm's toss_secs is 10 s; shorter here so that releasing and re-mastering happen within a run. */
    static final LockspaceNode.Options NODE_OPTIONS = new LockspaceNode.Options(2_000, 20);
    static final LinkOptions LINK_OPTIONS = LinkOptions.DEFAULTS;
    /** How often the node's clock ticks: lookup retries (after "not master") and toss. */
    static final long TICK_MILLIS = 200;

    private static final Object TICK = "dlm-tick";
    private static final Object LINK_TICK = "link-tick";

    private final DlmModel model;
    private final SimNodeId id;
    private final NodeId self;
    private final LockspaceNode node;
    private final Map<String, ReliableLink<DlmMessage>> links = new TreeMap<>();
    /** Incarnations the cluster removed: nothing more is sent to them. */
    private final Set<NodeId> removed = new TreeSet<>();
    private final Set<NodeId> leftCleanly = new TreeSet<>();
    private List<NodeId> pushedMembers = List.of();
    private long linkTimerId = -1;
    private long linkTimerAt = Long.MAX_VALUE;
    private boolean leaving;

    DlmProcess(DlmModel model, SimNodeId id) {
        this.model = model;
        this.id = id;
        this.self = DlmModel.nodeId(id);
        this.node = new LockspaceNode(self, LOCKSPACE, LvbChecker.LVB_LENGTH, NODE_OPTIONS);
        model.started(id, node);
    }

    // ---------------------------------------------------------------- SimProcess

    @Override
    public void onStart(ProcessContext<DlmSimMessage> ctx) {
        ctx.setTimer(TICK_MILLIS, TICK);
        pushView(ctx.view(), ctx);
        settle(ctx);
    }

    @Override
    public void onMessage(SimNodeId from, DlmSimMessage message, ProcessContext<DlmSimMessage> ctx) {
        if (!(message instanceof Wire w)) {
            throw new IllegalArgumentException(self + " got a client call over the network: " + message);
        }
        ReliableLink<DlmMessage> link = links.get(from.name());
        if (link == null) {
            link = new ReliableLink<>(self.incarnation(), from.incarnation(), LINK_OPTIONS);
            links.put(from.name(), link);
        }
        onLink(from.name(), link.receive(w.frame(), ctx.now()), ctx);
        settle(ctx);
    }

    @Override
    public void onViewChange(View view, ProcessContext<DlmSimMessage> ctx) {
        MemberEvent change = view.change().orElse(null);
        if (change instanceof MemberEvent.MemberRemoved r) {
            NodeId gone = DlmModel.nodeId(r.member());
            removed.add(gone);
            if (r.previousStatus() == MemberEvent.PreviousStatus.EXITING) {
                leftCleanly.add(gone);
            }
            ReliableLink<DlmMessage> link = links.get(gone.name());
            if (link != null && link.peerIncarnation() <= gone.incarnation()) {
                links.remove(gone.name());
            }
        }
        pushView(view, ctx);
        if (change instanceof MemberEvent.MemberLeft l && l.member().equals(id)) {
            leave(ctx);
        }
        settle(ctx);
    }

    @Override
    public void onTimer(Object token, ProcessContext<DlmSimMessage> ctx) {
        if (token == TICK) {
            apply(node.onTick(ctx.now()), ctx);
            ctx.setTimer(TICK_MILLIS, TICK);
        } else if (token == LINK_TICK) {
            linkTimerId = -1;
            linkTimerAt = Long.MAX_VALUE;
            for (Map.Entry<String, ReliableLink<DlmMessage>> e : new ArrayList<>(links.entrySet())) {
                if (e.getValue().nextDeadlineMillis() <= ctx.now()) {
                    onLink(e.getKey(), e.getValue().tick(ctx.now()), ctx);
                }
            }
        }
        settle(ctx);
    }

    @Override
    public void onRequest(DlmSimMessage request, ProcessContext<DlmSimMessage> ctx) {
        if (leaving) {
            ctx.trace("refused " + request + ": leaving");
            return;
        }
        long now = ctx.now();
        if (request instanceof LockCall c) {
            LockspaceNode.Result r = node.lock(c.resource(), c.mode(), c.flags(),
                    c.withBuffer() ? new byte[LvbChecker.LVB_LENGTH] : null, true, now);
            if (r instanceof LockspaceNode.Result.Accepted a) {
                model.lockAccepted(id, a.lock(), c);
            }
            outcome(request, r, ctx);
        } else if (request instanceof ConvertCall c) {
            byte[] write = model.conversionWrite(id, c);
            LockspaceNode.Result r = node.convert(c.lock(), c.mode(), c.flags(), write, now);
            if (r instanceof LockspaceNode.Result.Accepted) {
                model.convertAccepted(id, c, write);
            }
            outcome(request, r, ctx);
        } else if (request instanceof UnlockCall c) {
            DlmModel.Write write = model.unlockWrite(id, c.lock(), c.flags());
            LockspaceNode.Result r = node.unlock(c.lock(), c.flags(), write == null ? null : write.value(), now);
            if (r instanceof LockspaceNode.Result.Accepted) {
                model.unlockAccepted(id, c.lock(), c.flags(), write);
            }
            outcome(request, r, ctx);
        } else if (request instanceof CancelCall c) {
            LockspaceNode.Result r = node.cancel(c.lock(), now);
            if (r instanceof LockspaceNode.Result.Accepted) {
                model.cancelAccepted(id, c.lock());
            }
            outcome(request, r, ctx);
        } else {
            throw new IllegalArgumentException(self + " cannot run " + request);
        }
        settle(ctx);
    }

    @Override
    public boolean readyToExit() {
        return model.node(id).readyToLeave;
    }

    @Override
    public void onStop(StopCause cause) {
        model.stopped(id, cause);
    }

    // ---------------------------------------------------------------- the shell's work

    /** A clean leave: release every lock; the cluster lets us exit once the core says ReadyToLeave. */
    private void leave(ProcessContext<DlmSimMessage> ctx) {
        if (leaving) {
            return;
        }
        leaving = true;
        model.leaveStarted(id, node.isRunning());
        apply(node.leave(ctx.now()), ctx);
    }

    /** Gives the core the cluster's membership once this node is in it, whenever the member set changes. */
    private void pushView(View view, ProcessContext<DlmSimMessage> ctx) {
        if (!view.contains(id)) {
            return; // a joiner learns the members one by one; it joins the lockspace once it is among them
        }
        List<NodeId> members = view.members().stream().map(DlmModel::nodeId).sorted().toList();
        if (members.equals(pushedMembers)) {
            return;
        }
        pushedMembers = members;
        model.viewPushed(id, members);
        apply(node.onView(new io.clustermd.dlm.core.cluster.View(members, leftCleanly), ctx.now()), ctx);
    }

    private void outcome(DlmSimMessage request, LockspaceNode.Result r, ProcessContext<DlmSimMessage> ctx) {
        if (r instanceof LockspaceNode.Result.Accepted a) {
            ctx.trace("accepted lock " + a.lock());
            apply(a.effects(), ctx);
        } else if (r instanceof LockspaceNode.Result.Rejected j) {
            ctx.trace("rejected " + j.error() + ": " + j.reason());
        }
    }

    /** Carries out the core's effects, in order. */
    private void apply(List<NodeEffect> effects, ProcessContext<DlmSimMessage> ctx) {
        for (NodeEffect e : effects) {
            if (e instanceof NodeEffect.Send s) {
                send(s.to(), s.message(), ctx);
            } else {
                ctx.trace(DlmText.describe(e));
                model.effect(id, e);
            }
        }
    }

    private void send(NodeId to, DlmMessage message, ProcessContext<DlmSimMessage> ctx) {
        if (to.equals(self)) {
            throw new IllegalStateException(self + " sends to itself: " + DlmText.describe(message));
        }
        if (removed.contains(to)) {
            ctx.trace("not sent to removed " + to + ": " + DlmText.describe(message));
            return;
        }
        ReliableLink<DlmMessage> link = links.get(to.name());
        if (link == null) {
            link = new ReliableLink<>(self.incarnation(), to.incarnation(), LINK_OPTIONS);
            links.put(to.name(), link);
        } else if (link.peerIncarnation() > to.incarnation()) {
            ctx.trace("not sent to replaced " + to + ": " + DlmText.describe(message));
            return;
        } else if (link.peerIncarnation() < to.incarnation()) {
            onLink(to.name(), link.peerRestarted(to.incarnation(), ctx.now()), ctx);
        }
        onLink(to.name(), link.send(message, ctx.now()), ctx);
    }

    private void onLink(String peer, List<LinkEffect<DlmMessage>> effects, ProcessContext<DlmSimMessage> ctx) {
        for (LinkEffect<DlmMessage> e : effects) {
            if (e instanceof LinkEffect.Transmit<DlmMessage> t) {
                ctx.send(new SimNodeId(peer, (int) t.frame().receiverIncarnation()), new Wire(t.frame()));
            } else if (e instanceof LinkEffect.Deliver<DlmMessage> d) {
                apply(node.onMessage(new NodeId(peer, d.peerIncarnation()), d.payload(), ctx.now()), ctx);
            } else if (e instanceof LinkEffect.PeerRestarted<DlmMessage> p) {
                ctx.trace("link to " + peer + ": incarnation " + p.oldIncarnation() + " -> " + p.newIncarnation()
                        + " (" + p.reason() + "), " + p.unacknowledged().size() + " unacknowledged dropped");
            } else if (e instanceof LinkEffect.PeerUnresponsive<DlmMessage> u) {
                ctx.trace("link to " + peer + " unresponsive: " + u.reason() + " after " + u.waitedMillis() + " ms");
            } else if (e instanceof LinkEffect.SendRefused<DlmMessage> r) {
                throw new IllegalStateException(self + ": link to " + peer + " refused a send (" + r.reason() + ", "
                        + r.unackedFrames() + " frames unacknowledged)");
            }
        }
    }

    /** After every event: the core's and the links' invariants, and the link timer at the earliest deadline. */
    private void settle(ProcessContext<DlmSimMessage> ctx) {
        node.checkInvariants();
        long next = Long.MAX_VALUE;
        for (ReliableLink<DlmMessage> link : links.values()) {
            link.checkInvariants();
            next = Math.min(next, link.nextDeadlineMillis());
        }
        if (next < linkTimerAt) {
            if (linkTimerId >= 0) {
                ctx.cancelTimer(linkTimerId);
            }
            linkTimerAt = next;
            linkTimerId = ctx.setTimer(Math.max(0, next - ctx.now()), LINK_TICK);
        }
    }
}
