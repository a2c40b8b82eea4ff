package io.clustermd.sim;

import io.clustermd.sim.counter.CounterScenario;
import io.clustermd.sim.dlm.DlmScenario;
import io.clustermd.sim.messaging.MessagingScenario;
import java.util.List;
import java.util.Optional;

/**
 * The one place scenarios are registered; each becomes a subcommand of {@link SimMain}.
 * To add one (e.g. later {@code messaging}), append it to {@link #all()}.
 */
public final class Scenarios {

    private Scenarios() {
    }

    public static List<Scenario<?>> all() {
        return List.of(
                new CounterScenario(),
                new DlmScenario(),
                new MessagingScenario());
    }

    public static Optional<Scenario<?>> find(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
