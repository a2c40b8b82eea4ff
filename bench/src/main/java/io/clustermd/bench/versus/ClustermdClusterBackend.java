package io.clustermd.bench.versus;

import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.core.LockFlags;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code clustermd}: the distributed DLM, 3 Akka ActorSystems in this JVM on loopback, one
 * lockspace member and one {@link DlmClient} per node. <b>Extension point</b>: the Akka shell of
 * the distributed DLM ({@code io.clustermd.dlm.actor}) is being written; until it can start a
 * 3-node cluster in one JVM, {@link #start} reports the backend unavailable and the runner skips
 * it with that reason.
 *
 * <p>To finish it, {@link #start} creates the 3 ActorSystems, joins them into one cluster, opens
 * the lockspace {@code versus} on each, and fills {@link #clients} (node 0 first). The placements
 * below already follow the issue: the first requester of a name becomes its master.
 */
public final class ClustermdClusterBackend implements LockServiceBackend {

  public static final String NAME = "clustermd";

  private final List<DlmClient> clients = new ArrayList<>();
  /** Locks held only to keep a name mastered on a chosen node; released on close. */
  private final List<DlmLock> pins = new ArrayList<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "clustermd distributed DLM: 3 Akka ActorSystems in-process on loopback";
  }

  @Override
  public void start(int nodes, long lockWaitMillisMax) throws BackendUnavailableException {
    throw new BackendUnavailableException(
        "clustermd: the distributed DLM's Akka shell (io.clustermd.dlm.actor) is not in this build yet;"
            + " clustermd-local is the single-node floor meanwhile");
  }

  @Override
  public LockClient node(int index) {
    return clients.get(index);
  }

  /**
   * (a): node 1 is the first to ask for the name, so it becomes and stays its master (a local
   * master costs no message). (b): node 2 asks first and keeps an NL lock, which blocks nobody but
   * keeps the resource, and so its master, on node 2; node 1 then measures: each lock and unlock
   * is a request to node 2 and its reply.
   */
  @Override
  public Placement prepare(VersusCase uncontendedCase, String lockName) throws Exception {
    if (uncontendedCase == VersusCase.REMOTE_MASTER) {
      pins.add(clients.get(1).holdNullLock(lockName));
      return new Placement(0, "mastered on n2 (n2 asked first and holds NL); measured from n1");
    }
    return new Placement(0, "n1 asked first, so n1 masters the name; no message per operation");
  }

  @Override
  public void close() throws Exception {
    for (DlmLock pin : pins) {
      pin.unlock(LockFlags.NONE);
    }
    pins.clear();
    clients.clear();
  }
}
