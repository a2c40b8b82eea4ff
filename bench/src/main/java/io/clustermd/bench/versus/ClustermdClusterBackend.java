package io.clustermd.bench.versus;

import io.clustermd.dlm.actor.ClusterLockspace;
import io.clustermd.dlm.actor.LocalDlmCluster;
import io.clustermd.dlm.actor.Profiles;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockspaceOps;
import io.clustermd.dlm.core.LockFlags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code clustermd}: the distributed DLM, 3 Akka ActorSystems in this JVM on loopback (Artery
 * TCP, {@link LocalDlmCluster}), each with its DLM; all three join the lockspace {@code versus}
 * and each node's client is that node's {@link ClusterLockspace}, through the same
 * {@link DlmClient} calls as the local lockspace.
 *
 * <p>Mastering follows fs/dlm: the first node to ask for a name becomes its master, a local master
 * costs no message, a remote one a request and a reply per operation.
 */
public final class ClustermdClusterBackend implements LockServiceBackend {

  public static final String NAME = "clustermd";

  /** md-cluster's LVB length (md-cluster.c LVB_SIZE); no case reads or writes it. */
  private static final int LVB_LENGTH = 64;

  private static final String LOCKSPACE = "versus";

  /** Poll interval while waiting for every member to see the full membership after the joins. */
  private static final long VIEW_POLL_MILLIS = 20;

  /** Production failure detection: the measured lock path does not depend on it. */
  private static final String PROFILE = Profiles.DEFAULT;

  /** Quiet Akka: its log filter follows SLF4J's levels, but Akka drops below this before that. */
  private static final String EXTRA_CONFIG = "akka.loglevel = WARNING";

  private LocalDlmCluster cluster;
  private long lockWaitMillisMax;
  private ArteryRoundTrip roundTrip;
  private final List<ClusterLockspace> lockspaces = new ArrayList<>();
  private final List<DlmClient> clients = new ArrayList<>();
  /** Locks held only to keep a name mastered on a chosen node; released on close. */
  private final List<DlmLock> pins = new ArrayList<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "clustermd distributed DLM: 3 Akka " + akka.Version.current()
        + " ActorSystems in-process, Artery TCP on 127.0.0.1, failure-detection profile '" + PROFILE
        + "'; lockspace '" + LOCKSPACE + "' on every node";
  }

  @Override
  public void start(int nodes, long lockWaitMillisMax) throws Exception {
    this.lockWaitMillisMax = lockWaitMillisMax;
    Duration wait = Duration.ofMillis(lockWaitMillisMax);
    cluster = LocalDlmCluster.start(nodes, PROFILE, EXTRA_CONFIG, wait);
    List<CompletableFuture<ClusterLockspace>> joins = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      joins.add(cluster.dlm(i).join(LOCKSPACE, LVB_LENGTH, LockspaceOps.NONE).toCompletableFuture());
    }
    for (CompletableFuture<ClusterLockspace> join : joins) {
      ClusterLockspace ls = join.get(lockWaitMillisMax, TimeUnit.MILLISECONDS);
      lockspaces.add(ls);
      clients.add(new DlmClient(ls, lockWaitMillisMax));
    }
    awaitFullView(nodes, lockWaitMillisMax);
  }

  /** Joins that raced may complete at an intermediate view; measure only once all see all. */
  private void awaitFullView(int nodes, long waitMillisMax) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillisMax);
    while (!lockspaces.stream().allMatch(ls -> ls.slots().size() == nodes)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("clustermd: lockspace " + LOCKSPACE + " did not reach " + nodes
            + " members everywhere within " + waitMillisMax + " ms");
      }
      Thread.sleep(VIEW_POLL_MILLIS);
    }
  }

  /** Case (r): n1 to n2 and back over the same Artery connection the DLM's frames use. */
  @Override
  public Optional<RoundTrip> roundTrip() {
    if (roundTrip == null) {
      roundTrip = new ArteryRoundTrip(cluster.system(0), cluster.system(1), lockWaitMillisMax);
    }
    return Optional.of(roundTrip);
  }

  @Override
  public LockClient node(int index) {
    return clients.get(index);
  }

  /**
   * (a): n1 is the first to ask for the name, so it becomes and stays its master (a local master
   * costs no message). (b): n2 asks first and keeps an NL lock, which blocks nobody but keeps the
   * resource, and so its master, on n2; n1 then measures: each lock and each unlock is a request
   * to n2 and its reply.
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
    for (ClusterLockspace ls : lockspaces) {
      ls.close();
    }
    lockspaces.clear();
    clients.clear();
    if (cluster != null) {
      cluster.close();
      cluster = null;
      roundTrip = null;
    }
  }
}
