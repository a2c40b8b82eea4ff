package io.clustermd.sim.dlm;

import io.clustermd.sim.FaultMix;
import io.clustermd.sim.NemesisOptions;
import io.clustermd.sim.Scenario;
import io.clustermd.sim.ScenarioRun;
import io.clustermd.sim.SimOptions;
import java.util.SplittableRandom;

/**
 * The distributed lock manager under the nemesis: 3 to 7 nodes, each a {@link DlmProcess} around the pure
 * {@code LockspaceNode} and its reliable links, random client traffic ({@link DlmWorkload}), and the checkers
 * (a) compatible grants, (b) liveness once faults stop, (c) LVB values, (d) callbacks in order, (e) slots
 * and generations, after every event.
 */
public final class DlmScenario implements Scenario<DlmSimMessage> {

    static final int NODES_MIN = 3;
    static final int NODES_MAX = 7;
    /** Every fault, with clean leaves and added nodes twice as likely as in the engine's standard mix. */
    static final FaultMix MIX = new FaultMix(3, 2, 1, 2, 1, 3, 2, 2);

    @Override
    public String name() {
        return "dlm";
    }

    @Override
    public String description() {
        return "DLM lockspace (LockspaceNode + ReliableLink) on 3-7 nodes under crashes, pauses, partitions, "
                + "joins and clean leaves; checks compatible grants, LVB values, callback order, slots and "
                + "generations after every event, and that everything completes once faults stop.";
    }

    @Override
    public SimOptions defaults(long seed) {
        int nodes = new SplittableRandom(seed ^ 0x5DEECE66DL).nextInt(NODES_MIN, NODES_MAX + 1);
        return SimOptions.defaults(seed).withNodes(nodes)
                .withNemesis(NemesisOptions.standard(nodes).withMix(MIX).withMaxNodes(NODES_MAX));
    }

    @Override
    public ScenarioRun<DlmSimMessage> newRun(SimOptions options) {
        DlmModel model = new DlmModel();
        return new ScenarioRun<>(id -> new DlmProcess(model, id), new DlmWorkload(model, options), model.checkers());
    }
}
