package io.clustermd.sim.messaging;

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
import io.clustermd.sim.View;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The DLM half of a messaging node: one {@link LockspaceNode} and one {@link ReliableLink} per peer over the
 * simulated Artery network, ticked on timers, with the cluster's view turned into the lockspace's. The same
 * plumbing as the dlm scenario's {@code DlmProcess} (borrowed, since that class is package-private there):
 * members are removed only when the split brain resolver or a clean leave removed them. Every effect other
 * than a send goes to the owner, in order.
 */
final class LockspaceHost {

    static final String LOCKSPACE = "md0";
    static final LockspaceNode.Options NODE_OPTIONS = new LockspaceNode.Options(2_000, 20);
    static final LinkOptions LINK_OPTIONS = LinkOptions.DEFAULTS;
    static final long TICK_MILLIS = 200;

    private static final Object TICK = "dlm-tick";
    private static final Object LINK_TICK = "link-tick";

    private final SimNodeId id;
    private final NodeId self;
    private final LockspaceNode node;
    private final Consumer<NodeEffect> owner;
    private final Map<String, ReliableLink<DlmMessage>> links = new TreeMap<>();
    private final Set<NodeId> removed = new TreeSet<>();
    private final Set<NodeId> leftCleanly = new TreeSet<>();
    private List<NodeId> pushedMembers = List.of();
    private long linkTimerId = -1;
    private long linkTimerAt = Long.MAX_VALUE;

    LockspaceHost(SimNodeId id, int lvbLength, Consumer<NodeEffect> owner) {
        this.id = id;
        this.self = nodeId(id);
        this.node = new LockspaceNode(self, LOCKSPACE, lvbLength, NODE_OPTIONS);
        this.owner = owner;
    }

    static NodeId nodeId(SimNodeId id) {
        return new NodeId(id.name(), id.incarnation());
    }

    LockspaceNode node() {
        return node;
    }

    void start(ProcessContext<MsgSimMessage> ctx) {
        ctx.setTimer(TICK_MILLIS, TICK);
        pushView(ctx.view(), ctx);
    }

    void onWire(SimNodeId from, MsgSimMessage.Wire w, ProcessContext<MsgSimMessage> ctx) {
        ReliableLink<DlmMessage> link = links.get(from.name());
        if (link == null) {
            link = new ReliableLink<>(self.incarnation(), from.incarnation(), LINK_OPTIONS);
            links.put(from.name(), link);
        }
        onLink(from.name(), link.receive(w.frame(), ctx.now()), ctx);
    }

    void onViewChange(View view, ProcessContext<MsgSimMessage> ctx) {
        MemberEvent change = view.change().orElse(null);
        if (change instanceof MemberEvent.MemberRemoved r) {
            NodeId gone = nodeId(r.member());
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
    }

    /** @return true when the timer was one of ours */
    boolean onTimer(Object token, ProcessContext<MsgSimMessage> ctx) {
        if (token == TICK) {
            apply(node.onTick(ctx.now()), ctx);
            ctx.setTimer(TICK_MILLIS, TICK);
            return true;
        }
        if (token == LINK_TICK) {
            linkTimerId = -1;
            linkTimerAt = Long.MAX_VALUE;
            for (Map.Entry<String, ReliableLink<DlmMessage>> e : new ArrayList<>(links.entrySet())) {
                if (e.getValue().nextDeadlineMillis() <= ctx.now()) {
                    onLink(e.getKey(), e.getValue().tick(ctx.now()), ctx);
                }
            }
            return true;
        }
        return false;
    }

    /** A clean leave of the lockspace: force-unlock what is held; {@link NodeEffect.ReadyToLeave} follows. */
    void leave(ProcessContext<MsgSimMessage> ctx) {
        apply(node.leave(ctx.now()), ctx);
    }

    private void pushView(View view, ProcessContext<MsgSimMessage> ctx) {
        if (!view.contains(id)) {
            return;
        }
        List<NodeId> members = view.members().stream().map(LockspaceHost::nodeId).sorted().toList();
        if (members.equals(pushedMembers)) {
            return;
        }
        pushedMembers = members;
        apply(node.onView(new io.clustermd.dlm.core.cluster.View(members, leftCleanly), ctx.now()), ctx);
    }

    /** Carries out the node's effects in order: sends here, the rest to the owner. */
    void apply(List<NodeEffect> effects, ProcessContext<MsgSimMessage> ctx) {
        for (NodeEffect e : effects) {
            if (e instanceof NodeEffect.Send s) {
                send(s.to(), s.message(), ctx);
            } else {
                owner.accept(e);
            }
        }
    }

    private void send(NodeId to, DlmMessage message, ProcessContext<MsgSimMessage> ctx) {
        if (to.equals(self)) {
            throw new IllegalStateException(self + " sends to itself: " + SimText.describe(message));
        }
        if (removed.contains(to)) {
            return;
        }
        ReliableLink<DlmMessage> link = links.get(to.name());
        if (link == null) {
            link = new ReliableLink<>(self.incarnation(), to.incarnation(), LINK_OPTIONS);
            links.put(to.name(), link);
        } else if (link.peerIncarnation() > to.incarnation()) {
            return;
        } else if (link.peerIncarnation() < to.incarnation()) {
            onLink(to.name(), link.peerRestarted(to.incarnation(), ctx.now()), ctx);
        }
        onLink(to.name(), link.send(message, ctx.now()), ctx);
    }

    private void onLink(String peer, List<LinkEffect<DlmMessage>> effects, ProcessContext<MsgSimMessage> ctx) {
        for (LinkEffect<DlmMessage> e : effects) {
            if (e instanceof LinkEffect.Transmit<DlmMessage> t) {
                ctx.send(new SimNodeId(peer, (int) t.frame().receiverIncarnation()), new MsgSimMessage.Wire(t.frame()));
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

    /** After every event: the node's and the links' invariants, and the link timer at the earliest deadline. */
    void settle(ProcessContext<MsgSimMessage> ctx) {
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
