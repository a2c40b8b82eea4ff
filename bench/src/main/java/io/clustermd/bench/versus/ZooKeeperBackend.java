package io.clustermd.bench.versus;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.Version;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * {@code zookeeper}: the peer users would pick instead. A 3-server ZooKeeper ensemble in this JVM
 * (curator-test {@link TestingCluster}: data directories under {@code java.io.tmpdir}, ZooKeeper's
 * defaults, so {@code forceSync=yes}), and one Curator client per node, each connected to a
 * different server only. Exclusive locks are Curator's {@link InterProcessMutex}: create an
 * EPHEMERAL_SEQUENTIAL node, list the children, watch the predecessor; release deletes the node.
 *
 * <p>ZooKeeper has no lock master: every acquire and release is a quorum write ordered by the
 * leader. Case (a) is measured from the client of the leader, (b) from the client of a follower
 * (whose writes the follower forwards to the leader).
 */
public final class ZooKeeperBackend implements LockServiceBackend {

  public static final String NAME = "zookeeper";

  /** The parent of every lock node; names below it are the benchmark's lock names. */
  private static final String LOCK_ROOT = "/clustermd-versus";

  /** Longer than any pause of a loaded 2-core VM, within ZooKeeper's 2..20 ticks of 2 s. */
  private static final int SESSION_TIMEOUT_MILLIS = 30_000;

  /** How often {@code srvr} is asked while waiting for the ensemble to elect a leader. */
  private static final long LEADER_POLL_MILLIS = 100;

  private TestingCluster cluster;
  private final List<CuratorClient> clients = new ArrayList<>();
  private int leaderIndex = -1;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "ZooKeeper " + Version.getFullVersion().split("[ -]")[0]
        + " + Curator " + curatorVersion()
        + " InterProcessMutex; 3 servers in-process (curator-test TestingCluster), data in "
        + System.getProperty("java.io.tmpdir") + ", forceSync=" + System.getProperty("zookeeper.forceSync", "yes")
        + "; one client per server";
  }

  @Override
  public void start(int nodes, long lockWaitMillisMax) throws Exception {
    cluster = new TestingCluster(nodes);
    cluster.start();
    List<InstanceSpec> servers = new ArrayList<>(cluster.getInstances());
    servers.sort(Comparator.comparingInt(InstanceSpec::getServerId));
    for (InstanceSpec server : servers) {
      clients.add(CuratorClient.connect(server, lockWaitMillisMax));
    }
    leaderIndex = awaitLeader(servers, lockWaitMillisMax);
  }

  @Override
  public LockClient node(int index) {
    return clients.get(index);
  }

  @Override
  public Placement prepare(VersusCase uncontendedCase, String lockName) {
    if (uncontendedCase == VersusCase.REMOTE_MASTER) {
      int follower = leaderIndex == 0 ? 1 : 0;
      return new Placement(
          follower,
          "client of a follower; ZooKeeper has no lock master, so this is (a) again, the writes forwarded to the leader");
    }
    return new Placement(leaderIndex, "client of the leader; every acquire and release is a quorum write");
  }

  @Override
  public void close() throws IOException {
    for (CuratorClient c : clients) {
      c.curator().close();
    }
    clients.clear();
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  /** The index of the server whose {@code srvr} says {@code Mode: leader}. */
  private static int awaitLeader(List<InstanceSpec> servers, long waitMillisMax) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillisMax);
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < servers.size(); i++) {
        InstanceSpec s = servers.get(i);
        String srvr = FourLetterWordMain.send4LetterWord(s.getHostname(), s.getPort(), "srvr");
        if (srvr.contains("Mode: leader")) {
          return i;
        }
      }
      Thread.sleep(LEADER_POLL_MILLIS);
    }
    throw new TimeoutException("zookeeper: no server reported 'Mode: leader' within " + waitMillisMax + " ms");
  }

  /** The version in Curator's jar, read from its Maven metadata (the shaded jar drops manifests). */
  private static String curatorVersion() {
    String resource = "/META-INF/maven/org.apache.curator/curator-framework/pom.properties";
    try (InputStream in = CuratorFramework.class.getResourceAsStream(resource)) {
      if (in == null) {
        return "(unknown version)";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "(unknown version)");
    } catch (IOException e) {
      return "(unknown version)";
    }
  }

  /** A held {@link InterProcessMutex}. */
  private record MutexHandle(InterProcessMutex mutex) implements LockHandle {}

  /**
   * One Curator client connected to one server. Mutexes are kept per name: an
   * {@link InterProcessMutex} is reusable and re-acquiring it is how applications use it.
   */
  private record CuratorClient(CuratorFramework curator, long lockWaitMillisMax, Map<String, InterProcessMutex> mutexes)
      implements LockClient {

    static CuratorClient connect(InstanceSpec server, long lockWaitMillisMax) throws Exception {
      CuratorFramework curator = CuratorFrameworkFactory.builder()
          .connectString(server.getConnectString())
          .sessionTimeoutMs(SESSION_TIMEOUT_MILLIS)
          .connectionTimeoutMs((int) Math.min(Integer.MAX_VALUE, lockWaitMillisMax))
          .retryPolicy(new RetryNTimes(3, 100))
          .build();
      curator.start();
      if (!curator.blockUntilConnected((int) Math.min(Integer.MAX_VALUE, lockWaitMillisMax), TimeUnit.MILLISECONDS)) {
        curator.close();
        throw new TimeoutException(
            "zookeeper: client of " + server.getConnectString() + " not connected within " + lockWaitMillisMax + " ms");
      }
      return new CuratorClient(curator, lockWaitMillisMax, new ConcurrentHashMap<>());
    }

    @Override
    public LockHandle lock(String name, boolean exclusive) throws Exception {
      if (!exclusive) {
        // Mixing InterProcessMutex and InterProcessReadWriteLock on one path would not exclude
        // each other; no case asks for a shared lock, so refuse rather than measure a wrong lock.
        throw new UnsupportedOperationException("zookeeper backend: only exclusive locks (InterProcessMutex)");
      }
      String path = LOCK_ROOT + "/" + name;
      InterProcessMutex mutex = mutexes.computeIfAbsent(path, p -> new InterProcessMutex(curator, p));
      if (!mutex.acquire(lockWaitMillisMax, TimeUnit.MILLISECONDS)) {
        throw new TimeoutException(
            "zookeeper: " + path + " not acquired within lockWaitMillisMax=" + lockWaitMillisMax + " ms");
      }
      return new MutexHandle(mutex);
    }

    @Override
    public void unlock(LockHandle handle) throws Exception {
      ((MutexHandle) handle).mutex().release();
    }
  }
}
