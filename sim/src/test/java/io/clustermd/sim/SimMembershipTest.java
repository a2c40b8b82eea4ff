package io.clustermd.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.sim.MemberEvent.MemberLeft;
import io.clustermd.sim.MemberEvent.MemberRemoved;
import io.clustermd.sim.MemberEvent.MemberUp;
import io.clustermd.sim.MemberEvent.PreviousStatus;
import io.clustermd.sim.MemberEvent.ReachableMember;
import io.clustermd.sim.MemberEvent.UnreachableMember;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SimMembershipTest {

    /** Detection 3 s, stable-after 3 s, gossip 0.5 s: every instant below is exact. */
    private static final MembershipTimings FIXED = MembershipTimings.fixed(3_000, 3_000, 500);

    @Test
    @DisplayName("crash: unreachable after detection, removed (Down) from every view after stable-after plus gossip")
    void crashIsRemovedAfterDetectionAndStableAfter() {
        Harness h = new Harness(3, FIXED).runUntil(10_000);
        SimNodeId n3 = h.id("n3");
        h.world.crash(n3);
        h.runUntil(30_000);

        assertEquals(13_000, h.learnedAt("n1", new UnreachableMember(n3)));
        assertEquals(16_500, h.learnedAt("n1", new MemberRemoved(n3, PreviousStatus.DOWN)));
        assertEquals(16_500, h.learnedAt("n2", new MemberRemoved(n3, PreviousStatus.DOWN)));
        assertEquals(List.of(h.id("n1"), h.id("n2")), h.world.members());
        h.atEnd();
    }

    @Test
    @DisplayName("crash with the tuned timings: removed everywhere 5.9-8.7 s later (akka.md §3c: 6.2-8.7 s)")
    void crashRemovalWithinTunedRange() {
        for (long seed = 1; seed <= 20; seed++) {
            SimOptions o = SimOptions.defaults(seed).withNemesis(NemesisOptions.quiet(5));
            World<String> w = new World<>(o, id -> new Harness.Quiet(), Workload.none());
            w.bootstrap(5);
            w.runUntil(5_000);
            SimNodeId victim = w.latest("n" + (1 + seed % 5)).orElseThrow();
            w.crash(victim);
            w.runUntil(5_000 + MembershipTimings.TUNED.crashToRemovedMillisMin() - 1);
            for (SimNodeId n : w.alive()) {
                assertTrue(w.view(n).orElseThrow().contains(victim), "seed " + seed + ": removed too early at " + n);
            }
            w.runUntil(5_000 + MembershipTimings.TUNED.crashToRemovedMillisMax());
            for (SimNodeId n : w.alive()) {
                assertFalse(w.view(n).orElseThrow().contains(victim), "seed " + seed + ": not removed at " + n);
            }
        }
    }

    @Test
    @DisplayName("pause shorter than detection: nothing happens at all")
    void shortPauseChangesNothing() {
        Harness h = new Harness(3, FIXED).runUntil(1_000);
        SimNodeId n2 = h.id("n2");
        h.world.pause(n2);
        h.runUntil(3_900);
        h.world.resume(n2);
        h.runUntil(20_000);
        assertEquals(List.of(), h.changes());
        h.atEnd();
    }

    @Test
    @DisplayName("pause longer than detection but shorter than detection + stable-after: unreachable, then reachable")
    void mediumPauseIsUnreachableThenReachable() {
        Harness h = new Harness(3, FIXED).runUntil(1_000);
        SimNodeId n2 = h.id("n2");
        h.world.pause(n2);
        h.runUntil(6_000);
        h.world.resume(n2);
        h.runUntil(20_000);
        assertEquals(4_000, h.learnedAt("n1", new UnreachableMember(n2)));
        assertEquals(6_500, h.learnedAt("n1", new ReachableMember(n2)));
        assertEquals(NodeStatus.RUNNING, h.world.status(n2));
        assertEquals(3, h.world.members().size());
        h.atEnd();
    }

    @Test
    @DisplayName("pause outlasting detection + stable-after: downed (terminated while paused), then removed")
    void longPauseIsDownedThenRemoved() {
        Harness h = new Harness(3, FIXED).runUntil(1_000);
        SimNodeId n2 = h.id("n2");
        h.world.pause(n2);
        h.runUntil(6_999);
        assertEquals(NodeStatus.PAUSED, h.world.status(n2));
        h.runUntil(7_000);
        assertEquals(NodeStatus.DOWNED, h.world.status(n2), "downed at pause + detection + stable-after");
        h.runUntil(20_000);
        assertEquals(7_500, h.learnedAt("n1", new MemberRemoved(n2, PreviousStatus.DOWN)));
        h.atEnd();
    }

    @Test
    @DisplayName("partition healed before detection: no membership change")
    void shortPartitionChangesNothing() {
        Harness h = new Harness(5, FIXED).runUntil(1_000);
        h.world.partition(Partition.of(List.of(Set.of("n1", "n2", "n3"), Set.of("n4", "n5"))));
        h.runUntil(3_500);
        h.world.heal();
        h.runUntil(20_000);
        assertEquals(List.of(), h.changes());
        h.atEnd();
    }

    @Test
    @DisplayName("partition healed after detection but before stable-after: unreachable both ways, nobody downed")
    void mediumPartitionDownsNobody() {
        Harness h = new Harness(5, FIXED).runUntil(1_000);
        h.world.partition(Partition.of(List.of(Set.of("n1", "n2", "n3"), Set.of("n4", "n5"))));
        h.runUntil(6_000);
        h.world.heal();
        h.runUntil(20_000);
        assertEquals(4_000, h.learnedAt("n1", new UnreachableMember(h.id("n5"))));
        assertEquals(4_000, h.learnedAt("n5", new UnreachableMember(h.id("n1"))));
        assertEquals(5, h.world.members().size());
        assertTrue(h.changes().stream().noneMatch(c -> c instanceof MemberRemoved));
        h.atEnd();
    }

    @Test
    @DisplayName("partition outlasting stable-after: the minority downs itself and the majority removes it")
    void longPartitionDownsTheMinority() {
        Harness h = new Harness(5, FIXED).runUntil(1_000);
        h.world.partition(Partition.of(List.of(Set.of("n1", "n2", "n3"), Set.of("n4", "n5"))));
        h.runUntil(30_000);
        assertEquals(NodeStatus.DOWNED, h.world.status(h.id("n4")));
        assertEquals(NodeStatus.DOWNED, h.world.status(h.id("n5")));
        assertEquals(List.of(h.id("n1"), h.id("n2"), h.id("n3")), h.world.members());
        assertEquals(7_500, h.learnedAt("n1", new MemberRemoved(h.id("n4"), PreviousStatus.DOWN)));
        h.world.heal();
        h.runUntil(40_000);
        h.atEnd();
    }

    @Test
    @DisplayName("graceful leave: MemberLeft, then MemberRemoved with previous status Exiting, and the leaver exits")
    void gracefulLeaveIsMarkedClean() {
        Harness h = new Harness(3, FIXED).runUntil(1_000);
        SimNodeId n3 = h.id("n3");
        h.world.leave(n3);
        h.runUntil(10_000);
        assertEquals(1_500, h.learnedAt("n1", new MemberLeft(n3)));
        assertEquals(2_000, h.learnedAt("n1", new MemberRemoved(n3, PreviousStatus.EXITING)));
        assertEquals(NodeStatus.LEFT, h.world.status(n3));
        assertTrue(h.changes().stream().noneMatch(c -> c instanceof UnreachableMember));
        h.atEnd();
    }

    @Test
    @DisplayName("restart: the new incarnation joins and its crashed predecessor is removed as Down")
    void restartReplacesTheOldIncarnation() {
        Harness h = new Harness(3, FIXED).runUntil(1_000);
        SimNodeId old = h.id("n2");
        h.world.crash(old);
        h.runUntil(2_000);
        SimNodeId fresh = h.world.start("n2");
        assertEquals(new SimNodeId("n2", 2), fresh);
        h.runUntil(10_000);
        assertEquals(3_000, h.learnedAt("n1", new MemberRemoved(old, PreviousStatus.DOWN)));
        assertEquals(3_000, h.learnedAt("n1", new MemberUp(fresh)));
        assertEquals(List.of(h.id("n1"), h.id("n3"), fresh), h.world.members());
        assertEquals(h.world.members(), h.world.view(fresh).orElseThrow().members());
        h.atEnd();
    }

    @Test
    @DisplayName("add node: it joins and appears in everyone's view, last in age order")
    void addedNodeJoins() {
        Harness h = new Harness(3, FIXED).runUntil(1_000);
        SimNodeId n4 = h.world.start("n4");
        h.runUntil(5_000);
        assertEquals(List.of(h.id("n1"), h.id("n2"), h.id("n3"), n4), h.world.members());
        for (SimNodeId n : h.world.alive()) {
            assertEquals(h.world.members(), h.world.view(n).orElseThrow().members(), "view of " + n);
        }
        h.atEnd();
    }
}
