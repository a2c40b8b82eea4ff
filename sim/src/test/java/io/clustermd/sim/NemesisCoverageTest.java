package io.clustermd.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NemesisCoverageTest {

    private static final Map<String, Predicate<Observation>> KINDS = new TreeMap<>(Map.of(
            "crash", o -> o instanceof Observation.NodeStopped s && s.cause() == StopCause.CRASHED,
            "downed", o -> o instanceof Observation.NodeStopped s && s.cause() == StopCause.DOWNED,
            "minority downs itself", o -> o instanceof Observation.MembershipDecision d
                    && d.what().contains("minority side"),
            "clean leave", o -> o instanceof Observation.ViewChanged v && v.view().change().orElseThrow()
                    instanceof MemberEvent.MemberRemoved r && r.previousStatus() == MemberEvent.PreviousStatus.EXITING,
            "restart", o -> o instanceof Observation.NodeStarted s && s.node().incarnation() > 1,
            "added node", o -> o instanceof Observation.NodeStarted s && s.node().name().equals("n6"),
            "pause", o -> o instanceof Observation.NodePaused,
            "partition", o -> o instanceof Observation.Fault f && f.what().startsWith("partition"),
            "connection drop", o -> o instanceof Observation.Fault f && f.what().startsWith("drop connection"),
            "unreachable then reachable", o -> o instanceof Observation.ViewChanged v
                    && v.view().change().orElseThrow() instanceof MemberEvent.ReachableMember));

    @Test
    @DisplayName("over 30 seeds the nemesis produces every kind of fault and every membership outcome")
    void everyFaultKindHappens() {
        Map<String, Integer> counts = new TreeMap<>();
        KINDS.keySet().forEach(k -> counts.put(k, 0));
        for (long seed = 1; seed <= 30; seed++) {
            SimOptions o = SimOptions.defaults(seed);
            World<String> w = new World<>(o, id -> new Harness.Quiet(), Workload.none());
            Nemesis n = new Nemesis(w, o.nemesis(), o.nodes());
            w.attach(n);
            w.bootstrap(o.nodes());
            n.start();
            while (w.step(o.durationMillis())) {
                for (Observation obs : w.lastObservations()) {
                    KINDS.forEach((k, p) -> {
                        if (p.test(obs)) {
                            counts.merge(k, 1, Integer::sum);
                        }
                    });
                }
            }
        }
        counts.forEach((k, c) -> assertTrue(c > 0, "never saw: " + k + "; counts " + counts));
    }
}
