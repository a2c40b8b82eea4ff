package io.clustermd.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SimNetworkTest {

    private static final SimNodeId A = new SimNodeId("a", 1);
    private static final SimNodeId B = new SimNodeId("b", 1);
    private static final SimNodeId C = new SimNodeId("c", 1);

    private final SimScheduler scheduler = new SimScheduler(100_000);
    private final Set<SimNodeId> dead = new HashSet<>();
    private final List<Observation> lostAtSend = new ArrayList<>();
    private final SimNetwork network = new SimNetwork(NetworkOptions.ARTERY_LOOPBACK, scheduler,
            new SplittableRandom(7), id -> !dead.contains(id), lostAtSend::add);
    private final List<Envelope<?>> delivered = new ArrayList<>();
    private final List<LossReason> lost = new ArrayList<>();

    /** Runs the network alone: arrivals are delivered or lost, nothing else happens. */
    private void runUntilMillis(long millis) {
        runUntilMicros(millis * 1000);
    }

    private void runUntilMicros(long micros) {
        Optional<SimScheduler.Scheduled> next;
        while ((next = scheduler.next(micros)).isPresent()) {
            Envelope<?> e = ((SimEvent.MessageArrives) next.get().event()).envelope();
            network.lossAtArrival(e).ifPresentOrElse(lost::add, () -> delivered.add(e));
        }
        scheduler.advanceTo(micros);
    }

    private List<Object> payloads(SimNodeId from, SimNodeId to) {
        return delivered.stream().filter(e -> e.from().equals(from) && e.to().equals(to))
                .map(Envelope::message).map(Object.class::cast).toList();
    }

    @Test
    @DisplayName("per pair, messages arrive in send order, each once, with 0.1-2 ms latency")
    void fifoPerPairWithoutDuplicates() {
        List<Object> sent = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            network.send(A, B, i);
            network.send(B, A, -i);
            sent.add(i);
            runUntilMicros(scheduler.nowMicros() + (i % 3 == 0 ? 0 : 50));
        }
        runUntilMillis(1_000);
        assertEquals(sent, payloads(A, B));
        assertEquals(1_000, payloads(B, A).size());
        for (Envelope<?> e : delivered) {
            assertTrue(e.sentAtMicros() >= 0);
        }
        assertEquals(List.of(), lost);
    }

    @Test
    @DisplayName("a connection drop loses everything in flight both ways; later messages get through")
    void connectionDropLosesInFlight() {
        network.send(A, B, "ab-1");
        network.send(B, A, "ba-1");
        network.send(A, C, "ac-1");
        network.dropConnection("b", "a", 0);
        network.send(A, B, "ab-2");
        runUntilMillis(10);
        assertEquals(List.of("ab-2"), payloads(A, B));
        assertEquals(List.of(), payloads(B, A));
        assertEquals(List.of("ac-1"), payloads(A, C), "other pairs are unaffected");
        assertEquals(List.of(LossReason.CONNECTION_DROPPED, LossReason.CONNECTION_DROPPED), lost);
    }

    @Test
    @DisplayName("while a dropped connection is down, sends are lost; after it heals they arrive")
    void connectionDownLosesSends() {
        network.dropConnection("a", "b", 100);
        network.send(A, B, "during");
        runUntilMillis(150);
        network.send(A, B, "after");
        runUntilMillis(200);
        assertEquals(List.of("after"), payloads(A, B));
        assertEquals(LossReason.CONNECTION_DOWN, ((Observation.Lost) lostAtSend.get(0)).reason());
    }

    @Test
    @DisplayName("messages to or from a crashed node are lost, including those already in flight")
    void crashedNodesLoseMessages() {
        network.send(A, B, "to-b");
        network.send(B, C, "from-b");
        network.send(A, C, "a-to-c");
        dead.add(B);
        runUntilMillis(10);
        assertEquals(List.of("a-to-c"), delivered.stream().map(Envelope::message).toList());
        assertTrue(lost.containsAll(List.of(LossReason.RECEIVER_DEAD, LossReason.SENDER_DEAD)));
    }

    @Test
    @DisplayName("a message to an old incarnation is lost after a restart")
    void oldIncarnationIsNotDelivered() {
        network.send(A, B, "to-b1");
        dead.add(B);
        network.send(A, B.next(), "to-b2");
        runUntilMillis(10);
        assertEquals(List.of("to-b2"), delivered.stream().map(Envelope::message).toList());
    }

    @Test
    @DisplayName("a partition blackholes messages across groups, in flight and new, and only across groups")
    void partitionBlackholes() {
        network.send(A, C, "in-flight");
        network.partition(Partition.of(List.of(Set.of("a", "b"), Set.of("c"))));
        network.send(A, C, "across");
        network.send(C, A, "across-back");
        network.send(A, B, "same-side");
        runUntilMillis(10);
        assertEquals(List.of("same-side"), delivered.stream().map(Envelope::message).toList());
        network.heal();
        network.send(A, C, "healed");
        runUntilMillis(20);
        assertEquals(List.of("healed"), payloads(A, C));
        assertEquals(2, lostAtSend.size());
        assertEquals(List.of(LossReason.PARTITIONED), lost);
    }
}
