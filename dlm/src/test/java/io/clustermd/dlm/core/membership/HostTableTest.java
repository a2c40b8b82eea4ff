package io.clustermd.dlm.core.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.View;
import io.clustermd.dlm.core.membership.HostTable.Entry;
import io.clustermd.dlm.core.membership.HostTable.ViewChange;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Lockspace views from agents' tables and cluster membership, step by step. */
class HostTableTest {

  private static final NodeId SELF = new NodeId("a#1", 100);
  private static final NodeId B = new NodeId("b#1", 200);
  private static final NodeId C = new NodeId("c#1", 300);

  private HostTable t;

  @BeforeEach
  void twoOthers() {
    t = new HostTable();
    t.memberUp("b#1");
    t.memberUp("c#1");
  }

  private static Entry entry(NodeId m) {
    return new Entry("md0", m, 64, false);
  }

  private View joinWithBothAnswering() {
    Set<String> ask = t.join(entry(SELF), 7);
    assertEquals(Set.of("b#1", "c#1"), ask);
    assertTrue(t.hosted("b#1", 1, 7, List.of(entry(B))).isEmpty(), "no view while c has not answered");
    List<ViewChange> v = t.hosted("c#1", 1, 7, List.of(entry(C)));
    assertEquals(1, v.size());
    return v.get(0).view();
  }

  @Test
  @DisplayName("join barrier: the first view waits for every agent's answer and contains every member")
  void joinBarrier() {
    assertEquals(View.of(SELF, B, C).members(), joinWithBothAnswering().members());
  }

  @Test
  @DisplayName("an unsolicited table does not pass the barrier; an agent's removal does")
  void barrierAndRemoval() {
    t.join(entry(SELF), 7);
    assertTrue(t.hosted("b#1", 1, 0, List.of(entry(B))).isEmpty());
    assertEquals(Set.of("b#1", "c#1"), t.awaitingAnswers("md0"));
    t.hosted("b#1", 2, 7, List.of(entry(B)));
    List<ViewChange> v = t.memberRemoved("c#1");
    assertEquals(List.of(SELF, B), v.get(0).view().members());
  }

  @Test
  @DisplayName("a crashed agent stays a member until Akka removes it; then it is a failure, not a clean leave")
  void crashCountsUntilRemoval() {
    joinWithBothAnswering();
    assertTrue(t.recompute().isEmpty());
    View after = t.memberRemoved("c#1").get(0).view();
    assertEquals(List.of(SELF, B).stream().sorted().toList(), after.members());
    assertTrue(after.leftCleanly().isEmpty());
  }

  @Test
  @DisplayName("a member announced as leaving, or no longer listed by a live agent, left cleanly")
  void cleanLeave() {
    joinWithBothAnswering();
    View v1 = t.hosted("b#1", 2, 0, List.of(new Entry("md0", B, 64, true))).get(0).view();
    assertEquals(Set.of(B), v1.leftCleanly());
    joinWithRejoin();
  }

  private void joinWithRejoin() {
    NodeId c2 = new NodeId("c#1", 301);
    View v2 = t.hosted("c#1", 2, 0, List.of(entry(c2))).get(0).view();
    assertEquals(Set.of(C), v2.leftCleanly(), "c's old member left cleanly");
    assertTrue(v2.members().contains(c2), "c's new member joined");
  }

  @Test
  @DisplayName("older tables are ignored; a table from a non-member counts once it is Up")
  void ordering() {
    joinWithBothAnswering();
    t.hosted("b#1", 5, 0, List.of());
    assertTrue(t.hosted("b#1", 4, 0, List.of(entry(B))).isEmpty(), "stale table ignored");
    NodeId d = new NodeId("d#1", 400);
    assertTrue(t.hosted("d#1", 1, 0, List.of(entry(d))).isEmpty(), "not a cluster member yet");
    assertTrue(t.memberUp("d#1").get(0).view().members().contains(d));
  }

  @Test
  @DisplayName("a lockspace cannot be joined twice on one agent")
  void doubleJoin() {
    t.join(entry(SELF), 1);
    assertThrows(IllegalStateException.class, () -> t.join(entry(SELF), 2));
  }
}
