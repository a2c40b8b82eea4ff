package io.clustermd.bench.versus;

import io.clustermd.dlm.local.LocalLockspace;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code clustermd-local}: clustermd's single-JVM {@link LocalLockspace}, one lockspace shared by
 * the clients of the "nodes". It has no network and no master, so it is the floor that the
 * distributed backend can approach but not beat: (a) and (b) are the same measurement.
 */
public final class LocalLockspaceBackend implements LockServiceBackend {

  public static final String NAME = "clustermd-local";

  /** md-cluster's LVB length (md-cluster.c LVB_SIZE); no case reads or writes it. */
  private static final int LVB_LENGTH = 64;

  private LocalLockspace lockspace;
  private final List<DlmClient> clients = new ArrayList<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "clustermd LocalLockspace (single-node DLM in this JVM, no network), one client per node";
  }

  @Override
  public void start(int nodes, long lockWaitMillisMax) {
    lockspace = LocalLockspace.create("versus", LVB_LENGTH, LocalLockspace.Options.defaults());
    for (int i = 0; i < nodes; i++) {
      clients.add(new DlmClient(lockspace, lockWaitMillisMax));
    }
  }

  @Override
  public LockClient node(int index) {
    return clients.get(index);
  }

  @Override
  public Placement prepare(VersusCase uncontendedCase, String lockName) {
    if (uncontendedCase == VersusCase.REMOTE_MASTER) {
      return new Placement(1, "single node: no remote master exists; the same as (a) from another client");
    }
    return new Placement(0, "single node: every lock is local, no message");
  }

  @Override
  public void close() {
    if (lockspace != null) {
      lockspace.close();
      lockspace = null;
    }
    clients.clear();
  }
}
