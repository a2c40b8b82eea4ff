package io.clustermd.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * A membership oracle that behaves like Akka Cluster with its failure detector and the split brain
 * resolver's keep-majority strategy (reference/akka.md §3a–§3c, §6), at the timings of
 * {@link MembershipTimings}.
 *
 * <p><b>Failure detector, per observer.</b> Each running member watches every other member. When it
 * loses a member (crashed, paused, or across a partition) it marks it unreachable after a detection
 * delay drawn per observer; if the member comes back first, nothing happens. Once marked, it becomes
 * reachable again a short while after it is back. A paused observer's detector is frozen with it.
 *
 * <p><b>Split brain resolver, per observer.</b> When an observer's unreachable set has not changed for
 * stable-after, it decides: if the members it still reaches are a majority of the membership (a tie goes
 * to the side holding the lowest address), it downs every unreachable member; otherwise it is on the
 * minority side and downs itself. So a partition that heals before stable-after changes nothing, and one
 * that outlasts it ends with the minority downed on both sides.
 *
 * <p><b>Downed ⇒ terminated, before anyone removes it.</b> A downed node stops at the moment of the
 * decision (a paused one dies where it stands; Akka terminates a downed node's ActorSystem); only then
 * does the leader remove it, and each node learns the removal after a gossip delay. Nobody therefore
 * learns that a member is gone while it could still act — the rule that makes it safe for a protocol to
 * recover a removed node's state. Real Akka does not order the two sides' decisions (akka.md §3c, last
 * paragraph); clustermd's fencing (DESIGN.md §8) covers that gap, and the engine's
 * {@link MembershipSafetyChecker} keeps this model honest.
 *
 * <p><b>Joins, leaves, restarts.</b> A started node is moved to Up after a join delay and learns the
 * whole membership; a restarted name's old incarnation is removed (as downed) when the new one joins,
 * as Akka does for a new uid on a known address. A graceful leave is announced (MemberLeft), and after
 * the leave delay the node exits and is removed with previous status Exiting, once its process is ready to
 * exit (its CoordinatedShutdown tasks are done) or {@link #EXIT_CONFIRM_MILLIS_MAX} passed.
 */
public final class SimMembership {

    /** What the oracle needs from the world around it. */
    public interface Host {
        NodeStatus status(SimNodeId id);

        /** Stops a node for good; the world tells its process and drops what it held. */
        void terminate(SimNodeId id, StopCause cause);

        boolean sameSide(String a, String b);

        /** Whether a leaving member's process is ready to exit ({@link SimProcess#readyToExit}). */
        boolean readyToExit(SimNodeId id);

        void observe(Observation observation);
    }

    private enum MemberStatus { UP, LEAVING }

    /** A pending failure-detector flip; a newer generation supersedes it. */
    private record Flip(long generation, boolean toUnreachable) {}

    /** One member's failure detector and split brain resolver state. */
    private static final class Observer {
        final TreeSet<SimNodeId> unreachable = new TreeSet<>();
        final Map<SimNodeId, Flip> pending = new TreeMap<>();
        long resolverGeneration;
    }

    private static final long RETRY_MICROS = 500_000;
    /** How often the leader looks again at a leaving member whose process is not ready to exit. */
    private static final long EXIT_CONFIRM_POLL_MICROS = 100_000;
    /**
     * How long a leaving member may delay its exit (Akka: the timeout of the CoordinatedShutdown phase
     * whose tasks must finish first); then it exits unconfirmed, as Akka moves on after a phase timeout.
     */
    public static final long EXIT_CONFIRM_MILLIS_MAX = 10_000;

    private final MembershipTimings timings;
    private final SimScheduler scheduler;
    private final RandomGenerator random;
    private final Host host;
    private final LinkedHashMap<SimNodeId, MemberStatus> members = new LinkedHashMap<>();
    private final Map<SimNodeId, Observer> observers = new TreeMap<>();
    private final Map<SimNodeId, Long> lastNoticeMicros = new HashMap<>();
    /** When each leaving member's leave delay ended, for the bound on waiting for its confirmation. */
    private final Map<SimNodeId, Long> exitDueMicros = new HashMap<>();
    private long nextGeneration;
    /** Whether anything that {@link #reevaluate} depends on changed since it last ran. */
    private boolean dirty = true;

    public SimMembership(MembershipTimings timings, SimScheduler scheduler, RandomGenerator random, Host host) {
        this.timings = timings;
        this.scheduler = scheduler;
        this.random = random;
        this.host = host;
    }

    /** The bootstrap members, Up at time 0; their initial views are set by the world. */
    public void bootstrap(List<SimNodeId> ids) {
        if (!members.isEmpty()) {
            throw new IllegalStateException("already bootstrapped");
        }
        ids.forEach(id -> members.put(id, MemberStatus.UP));
    }

    /** Members in Up order, as the leader knows them. */
    public List<SimNodeId> members() {
        return List.copyOf(members.keySet());
    }

    public boolean isMember(SimNodeId id) {
        return members.containsKey(id);
    }

    /** A freshly started incarnation asks to join. */
    public void join(SimNodeId id) {
        scheduler.scheduleAfter(micros(draw(timings.joinMillisMin(), timings.joinMillisMax())),
                new SimEvent.JoinCompletes(id));
    }

    /** A member asks to leave gracefully. */
    public void leave(SimNodeId id) {
        if (members.get(id) != MemberStatus.UP) {
            throw new IllegalStateException(id + " cannot leave: it is not an Up member");
        }
        members.put(id, MemberStatus.LEAVING);
        noticeToAll(new MemberEvent.MemberLeft(id));
        scheduler.scheduleAfter(micros(draw(timings.leaveMillisMin(), timings.leaveMillisMax())),
                new SimEvent.LeaveCompletes(id));
        host.observe(new Observation.MembershipDecision(id + " is leaving"));
    }

    public void onJoinCompletes(SimNodeId id) {
        NodeStatus s = host.status(id);
        if (s == NodeStatus.PAUSED) {
            scheduler.scheduleAfter(RETRY_MICROS, new SimEvent.JoinCompletes(id));
            return;
        }
        if (s != NodeStatus.RUNNING) {
            host.observe(new Observation.MembershipDecision("join of " + id + " abandoned: " + s));
            return;
        }
        for (SimNodeId old : List.copyOf(members.keySet())) {
            if (old.name().equals(id.name())) {
                down(old, "replaced by new incarnation " + id);
            }
        }
        members.put(id, MemberStatus.UP);
        dirty = true;
        host.observe(new Observation.MembershipDecision(id + " is Up"));
        for (SimNodeId m : members.keySet()) {
            notice(id, new MemberEvent.MemberUp(m), 0);
        }
        for (SimNodeId m : recipients()) {
            if (!m.equals(id)) {
                notice(m, new MemberEvent.MemberUp(id), gossipMicros());
            }
        }
    }

    public void onLeaveCompletes(SimNodeId id) {
        if (!members.containsKey(id)) {
            return;
        }
        NodeStatus s = host.status(id);
        if (s == NodeStatus.PAUSED) {
            scheduler.scheduleAfter(RETRY_MICROS, new SimEvent.LeaveCompletes(id));
            return;
        }
        if (s != NodeStatus.RUNNING) {
            return;
        }
        long due = exitDueMicros.computeIfAbsent(id, k -> scheduler.nowMicros());
        boolean ready = host.readyToExit(id);
        if (!ready && scheduler.nowMicros() - due < micros(EXIT_CONFIRM_MILLIS_MAX)) {
            scheduler.scheduleAfter(EXIT_CONFIRM_POLL_MICROS, new SimEvent.LeaveCompletes(id));
            return;
        }
        host.terminate(id, StopCause.LEFT);
        remove(id, MemberEvent.PreviousStatus.EXITING, ready ? "exited"
                : "exited unconfirmed after " + EXIT_CONFIRM_MILLIS_MAX + " ms");
    }

    /** The observer's failure detector flips its opinion of {@code subject}, unless superseded. */
    public void onDetectorFlip(SimNodeId observerId, SimNodeId subject, long generation) {
        Observer o = observers.get(observerId);
        if (o == null) {
            return;
        }
        Flip f = o.pending.get(subject);
        if (f == null || f.generation() != generation) {
            return;
        }
        o.pending.remove(subject);
        dirty = true;
        MemberEvent change;
        if (f.toUnreachable()) {
            o.unreachable.add(subject);
            change = new MemberEvent.UnreachableMember(subject);
        } else {
            o.unreachable.remove(subject);
            change = new MemberEvent.ReachableMember(subject);
        }
        notice(observerId, change, 0);
        o.resolverGeneration = ++nextGeneration;
        scheduler.scheduleAfter(micros(timings.stableAfterMillis()),
                new SimEvent.ResolverCheck(observerId, o.resolverGeneration));
    }

    /** The observer's unreachable set was stable for stable-after (if the generation still matches). */
    public void onResolverCheck(SimNodeId observerId, long generation) {
        Observer o = observers.get(observerId);
        if (o == null || o.resolverGeneration != generation || o.unreachable.isEmpty()
                || !members.containsKey(observerId)) {
            return;
        }
        List<SimNodeId> side = members.keySet().stream().filter(m -> !o.unreachable.contains(m)).toList();
        SimNodeId lowest = members.keySet().stream().min(SimNodeId::compareTo).orElseThrow();
        boolean majority = 2 * side.size() > members.size()
                || (2 * side.size() == members.size() && side.contains(lowest));
        if (majority) {
            for (SimNodeId x : List.copyOf(o.unreachable)) {
                down(x, "unreachable for stable-after; keep-majority at " + observerId + " (side of "
                        + side.size() + "/" + members.size() + ")");
            }
        } else {
            host.observe(new Observation.MembershipDecision(observerId + " is on the minority side ("
                    + side.size() + "/" + members.size() + "), downs itself"));
            host.terminate(observerId, StopCause.DOWNED);
        }
    }

    /** Someone's status or the partition changed: the detectors must look again. */
    public void connectivityChanged() {
        dirty = true;
    }

    /**
     * Brings every running member's failure detector in line with who it can reach now. Called after
     * every event; it does work only after a change, and schedules flips only where opinion and reality
     * differ.
     */
    public void reevaluate() {
        if (!dirty) {
            return;
        }
        dirty = false;
        for (SimNodeId n : members.keySet()) {
            if (host.status(n) != NodeStatus.RUNNING) {
                continue; // a paused observer's detector is frozen; a dead one is about to be removed
            }
            Observer o = observers.computeIfAbsent(n, k -> new Observer());
            for (SimNodeId x : members.keySet()) {
                if (!x.equals(n)) {
                    reconsider(n, o, x);
                }
            }
        }
    }

    private void reconsider(SimNodeId n, Observer o, SimNodeId x) {
        boolean cut = host.status(x) != NodeStatus.RUNNING || !host.sameSide(n.name(), x.name());
        boolean marked = o.unreachable.contains(x);
        Flip p = o.pending.get(x);
        if (cut == marked) {
            if (p != null) {
                o.pending.remove(x);
            }
            return;
        }
        if (p != null && p.toUnreachable() == cut) {
            return;
        }
        long delay = cut ? draw(timings.detectionMillisMin(), timings.detectionMillisMax())
                : draw(timings.reachableAgainMillisMin(), timings.reachableAgainMillisMax());
        Flip f = new Flip(++nextGeneration, cut);
        o.pending.put(x, f);
        scheduler.scheduleAfter(micros(delay), new SimEvent.DetectorFlip(n, x, f.generation()));
    }

    /** Downs {@code x}: it terminates now (if it still could act), then the leader removes it. */
    private void down(SimNodeId x, String why) {
        if (!members.containsKey(x)) {
            return;
        }
        if (host.status(x).canAct()) {
            host.terminate(x, StopCause.DOWNED);
        }
        remove(x, MemberEvent.PreviousStatus.DOWN, "downed: " + why);
    }

    private void remove(SimNodeId x, MemberEvent.PreviousStatus previous, String why) {
        if (host.status(x).canAct()) {
            throw new IllegalStateException("model bug: removing " + x + " while it can still act");
        }
        members.remove(x);
        dirty = true;
        observers.remove(x);
        for (Observer o : observers.values()) {
            o.unreachable.remove(x);
            o.pending.remove(x);
        }
        lastNoticeMicros.remove(x);
        exitDueMicros.remove(x);
        host.observe(new Observation.MembershipDecision(x + " removed (" + previous + "), " + why));
        noticeToAll(new MemberEvent.MemberRemoved(x, previous));
    }

    private void noticeToAll(MemberEvent change) {
        for (SimNodeId m : recipients()) {
            notice(m, change, m.equals(change.member()) ? 0 : gossipMicros());
        }
    }

    /** Members that can still learn anything. */
    private List<SimNodeId> recipients() {
        List<SimNodeId> r = new ArrayList<>();
        for (SimNodeId m : members.keySet()) {
            if (host.status(m).canAct()) {
                r.add(m);
            }
        }
        return r;
    }

    /** Schedules a notice; notices to one node stay in decision order (gossip carries a total order). */
    private void notice(SimNodeId to, MemberEvent change, long delayMicros) {
        long at = Math.max(scheduler.nowMicros() + delayMicros, lastNoticeMicros.getOrDefault(to, 0L));
        lastNoticeMicros.put(to, at);
        scheduler.scheduleAt(at, new SimEvent.ViewNotice(to, change));
    }

    private long gossipMicros() {
        return micros(draw(timings.gossipMillisMin(), timings.gossipMillisMax()));
    }

    private long draw(long min, long max) {
        return min == max ? min : random.nextLong(min, max + 1);
    }

    private static long micros(long millis) {
        return millis * 1000;
    }

    /** Observers only watch members; one name has at most one incarnation that can act among members. */
    public void checkInvariants() {
        for (Map.Entry<SimNodeId, Observer> e : observers.entrySet()) {
            if (!members.containsKey(e.getKey())) {
                throw new IllegalStateException("observer " + e.getKey() + " is not a member");
            }
            for (SimNodeId u : e.getValue().unreachable) {
                if (!members.containsKey(u)) {
                    throw new IllegalStateException(e.getKey() + " marks non-member " + u + " unreachable");
                }
            }
        }
        Map<String, SimNodeId> actingByName = new HashMap<>();
        for (SimNodeId m : members.keySet()) {
            if (host.status(m).canAct() && actingByName.put(m.name(), m) != null) {
                throw new IllegalStateException("two acting incarnations of " + m.name() + " are members");
            }
        }
    }
}
