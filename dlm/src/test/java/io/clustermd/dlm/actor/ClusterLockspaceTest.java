package io.clustermd.dlm.actor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.typed.Cluster;
import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.cluster.Slot;
import io.clustermd.dlm.transport.FrameTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Three ActorSystems on loopback in this JVM, each with a DLM, sharing one lockspace. */
class ClusterLockspaceTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int LVB = 32;
  /** Tuned failure detection; test mode for partitions; a crash must not be a graceful leave. */
  private static final String EXTRA = """
      akka.remote.artery.advanced.test-mode = on
      akka.coordinated-shutdown.run-by-actor-system-terminate = off
      akka.loglevel = WARNING
      """;

  private LocalDlmCluster cluster;
  private final List<ClusterLockspace> spaces = new ArrayList<>();
  private final List<RecordingOps> ops = new ArrayList<>();

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void start(int nodes) throws Exception {
    start(nodes, "");
  }

  private void start(int nodes, String extra) throws Exception {
    cluster = LocalDlmCluster.start(nodes, Profiles.TUNED, EXTRA + extra, WAIT);
    List<CompletableFuture<ClusterLockspace>> joins = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      RecordingOps o = new RecordingOps();
      ops.add(o);
      joins.add(cluster.dlm(i).join("md0", LVB, o).toCompletableFuture());
    }
    for (CompletableFuture<ClusterLockspace> j : joins) {
      spaces.add(j.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
    // Joins that raced may have completed at an intermediate view: wait for the full one everywhere.
    await().atMost(WAIT).until(() -> spaces.stream().allMatch(s -> s.slots().size() == nodes));
  }

  private static StatusBlock get(java.util.concurrent.CompletionStage<StatusBlock> f) throws Exception {
    return f.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("three agents join one lockspace: slots 1..3, one generation, the same slot table everywhere")
  void join() throws Exception {
    start(3);
    await().atMost(WAIT).until(() -> spaces.stream().map(ClusterLockspace::generation).distinct().count() == 1);
    List<Slot> slots = spaces.get(0).slots();
    assertEquals(Set.of(1, 2, 3), Set.copyOf(slots.stream().map(Slot::slot).toList()));
    for (ClusterLockspace s : spaces) {
      assertEquals(slots, s.slots());
    }
  }

  @Test
  @DisplayName("remote lock, blocking callback across agents, handoff, convert, cancel and unlock")
  void remoteOperations() throws Exception {
    start(3);
    ResourceName r = ResourceName.of("resync");
    List<LockMode> basts = new CopyOnWriteArrayList<>();
    DlmLock a = spaces.get(0).lock(new LockRequest(r, LockMode.EX, LockFlags.NONE, null,
        (lock, mode) -> {
          basts.add(mode);
          lock.unlock(LockFlags.NONE);
        }));
    assertTrue(get(a.requested()).granted());

    DlmLock b = spaces.get(1).lock(LockRequest.of(r, LockMode.PR));
    StatusBlock granted = get(b.requested());
    assertTrue(granted.granted());
    assertEquals(LockMode.PR, granted.mode());
    assertEquals(List.of(LockMode.PR), basts);

    // A conversion up that must wait, cancelled: ECANCEL, the lock keeps PR.
    DlmLock c = spaces.get(2).lock(LockRequest.of(r, LockMode.CR));
    assertTrue(get(c.requested()).granted());
    CompletableFuture<StatusBlock> up = c.convert(LockMode.EX, LockFlags.NONE).toCompletableFuture();
    c.cancel();
    StatusBlock cancelled = get(up);
    assertEquals(DlmStatus.ECANCEL, cancelled.status());
    assertEquals(LockMode.CR, cancelled.mode());

    // NOQUEUE refused by the remote holder.
    DlmLock d = spaces.get(2).lock(LockRequest.of(r, LockMode.EX).withFlags(LockFlag.NOQUEUE));
    assertEquals(DlmStatus.EAGAIN, get(d.requested()).status());

    assertEquals(DlmStatus.EUNLOCK, get(b.unlock(LockFlags.NONE)).status());
    assertEquals(LockMode.EX, get(c.convert(LockMode.EX, LockFlags.NONE)).mode());
    assertEquals(DlmStatus.EUNLOCK, get(c.unlock(LockFlags.NONE)).status());
  }

  @ParameterizedTest(name = "transport {0}")
  @ValueSource(strings = {"tcp", "artery"})
  @DisplayName("a lock value block written by a PW holder on one agent is read by a PR holder on another")
  void lvbThroughRemoteMaster(String transport) throws Exception {
    start(3, "clustermd.dlm.transport.kind = " + transport + "\n");
    ResourceName r = ResourceName.of("bitmap0001");
    byte[] mine = new byte[LVB];
    DlmLock w = spaces.get(1).lock(new LockRequest(r, LockMode.PW, LockFlags.of(LockFlag.VALBLK), mine, null));
    assertTrue(get(w.requested()).granted());
    for (int i = 0; i < LVB; i++) {
      mine[i] = (byte) (i + 7);
    }
    get(w.convert(LockMode.NL, LockFlags.of(LockFlag.VALBLK)));
    for (int node : new int[] {0, 2}) {
      byte[] theirs = new byte[LVB];
      DlmLock rd = spaces.get(node).lock(new LockRequest(r, LockMode.PR, LockFlags.of(LockFlag.VALBLK), theirs, null));
      StatusBlock sb = get(rd.requested());
      assertTrue(sb.granted());
      assertFalse(sb.valueNotValid());
      assertArrayEquals(mine, theirs);
    }
    for (int node = 0; node < 3; node++) {
      Set<String> connected = cluster.dlm(node).transport().map(FrameTransport::connectedAgents).orElse(Set.of());
      if (transport.equals("tcp")) {
        assertFalse(connected.isEmpty(), "agent " + node + " sent its frames over its own connections");
      } else {
        assertTrue(cluster.dlm(node).transport().isEmpty(), "kind = artery starts no frame transport");
      }
    }
  }

  @Test
  @DisplayName("callbacks declared non-blocking run on the transport's I/O thread that received the event; others on the callback executor")
  void nonBlockingCallbacksRunOnTheReceivingThread() throws Exception {
    start(2);
    ResourceName warm = ResourceName.of("warm-up");
    for (int round = 0; round < 3; round++) {
      for (int node = 0; node < 2; node++) {
        DlmLock l = spaces.get(node).lock(LockRequest.of(warm, LockMode.EX));
        get(l.requested());
        get(l.unlock(LockFlags.NONE));
      }
    }
    await().atMost(WAIT).until(() -> connected(0) && connected(1));
    for (boolean nonBlocking : new boolean[] {true, false}) {
      ResourceName r = ResourceName.of("callbacks-" + nonBlocking);
      CompletableFuture<String> bastThread = new CompletableFuture<>();
      DlmLock holder = spaces.get(0).lock(new LockRequest(r, LockMode.EX, LockFlags.NONE, null,
          (lock, mode) -> bastThread.complete(Thread.currentThread().getName()), nonBlocking));
      assertTrue(get(holder.requested()).granted());
      DlmLock waiter = spaces.get(1).lock(new LockRequest(r, LockMode.EX, LockFlags.NONE, null, null, nonBlocking));
      CompletableFuture<String> grantThread =
          waiter.requested().thenApply(sb -> Thread.currentThread().getName()).toCompletableFuture();
      String bastOn = bastThread.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertFalse(grantThread.isDone(), "the waiter cannot be granted while the holder keeps EX");
      get(holder.unlock(LockFlags.NONE));
      String grantOn = grantThread.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      String expected = nonBlocking ? "clustermd-dlm-transport-" : "clustermd-dlm-callbacks-";
      assertTrue(bastOn.startsWith(expected), "nonBlocking=" + nonBlocking + ": blocking callback ran on " + bastOn);
      assertTrue(grantOn.startsWith(expected), "nonBlocking=" + nonBlocking + ": grant stage ran on " + grantOn);
      get(waiter.unlock(LockFlags.NONE));
    }
  }

  private boolean connected(int node) {
    return !cluster.dlm(node).transport().map(FrameTransport::connectedAgents).orElse(Set.of()).isEmpty();
  }

  @Test
  @DisplayName("an agent whose LVB length differs is refused, and the message names both lengths")
  void lvbLengthMismatchRefused() throws Exception {
    start(2);
    int extra = cluster.addNode(Profiles.TUNED, EXTRA);
    cluster.awaitUp(WAIT);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> cluster.dlm(extra).join("md0", 16, null).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    String msg = e.getCause().getMessage();
    assertTrue(msg.contains("16") && msg.contains(String.valueOf(LVB)), msg);
    // The members carry on.
    DlmLock l = spaces.get(1).lock(LockRequest.of("token", LockMode.EX));
    assertTrue(get(l.requested()).granted());
  }

  @Test
  @DisplayName("crash of a PW holder with VALBLK: survivors get recover_slot for its slot; the waiter is granted with VALNOTVALID")
  void crashOfHolder() throws Exception {
    start(3);
    ResourceName r = ResourceName.of("bitmap0003");
    // Node 0 asks first, so it masters the resource and survives the crash.
    DlmLock keeper = spaces.get(0).lock(new LockRequest(r, LockMode.NL, LockFlags.of(LockFlag.VALBLK), new byte[LVB], null));
    assertTrue(get(keeper.requested()).granted());
    byte[] written = new byte[LVB];
    DlmLock held = spaces.get(2).lock(new LockRequest(r, LockMode.EX, LockFlags.of(LockFlag.VALBLK), written, null));
    assertTrue(get(held.requested()).granted());
    written[0] = 42;
    get(held.convert(LockMode.PW, LockFlags.of(LockFlag.VALBLK))); // writes the value; still a writer
    int victimSlot = slotOf(2);
    byte[] read = new byte[LVB];
    DlmLock waiter = spaces.get(1).lock(new LockRequest(r, LockMode.EX, LockFlags.of(LockFlag.VALBLK), read, null));
    long generation = spaces.get(0).generation();

    crash(2);

    StatusBlock sb = get(waiter.requested());
    assertTrue(sb.granted());
    assertTrue(sb.valueNotValid(), "a dead PW holder with VALBLK may have changed the value: " + sb);
    assertArrayEquals(written, read, "the last value written, flagged as possibly stale");
    assertRecovered(victimSlot, generation);
  }

  @Test
  @DisplayName("crash of the master and holder of a lock: the resource is re-mastered and the waiter granted")
  void crashOfMaster() throws Exception {
    start(3);
    ResourceName r = ResourceName.of("token");
    DlmLock held = spaces.get(2).lock(LockRequest.of(r, LockMode.EX));
    assertTrue(get(held.requested()).granted());
    DlmLock reader = spaces.get(1).lock(LockRequest.of(ResourceName.of("message"), LockMode.CR));
    assertTrue(get(reader.requested()).granted());
    int victimSlot = slotOf(2);
    DlmLock waiter = spaces.get(0).lock(LockRequest.of(r, LockMode.EX));
    long generation = spaces.get(0).generation();

    crash(2);

    assertTrue(get(waiter.requested()).granted());
    assertRecovered(victimSlot, generation);
    // Locks of survivors survive: the CR lock converts up without losing its place.
    assertEquals(LockMode.EX, get(reader.convert(LockMode.EX, LockFlags.NONE)).mode());
  }

  private int slotOf(int node) {
    return spaces.get(node).slots().stream().filter(s -> s.node().equals(spaces.get(node).self()))
        .findFirst().orElseThrow().slot();
  }

  private void assertRecovered(int victimSlot, long generationBefore) {
    for (int i : new int[] {0, 1}) {
      RecordingOps o = ops.get(i);
      await().atMost(WAIT).until(() -> o.last() != null && o.last().slots().size() == 2);
      assertTrue(o.failed.contains(new RecordingOps.Failed(spaces.get(2).self(), victimSlot)), o.events.toString());
      assertTrue(o.last().generation() > generationBefore, o.events.toString());
      System.out.printf("RESULT crash-to-recover-done in-jvm profile=tuned node=%d millis=%d%n", i,
          (o.recoverDoneNanos - crashedAtNanos) / 1_000_000);
    }
  }

  @Test
  @DisplayName("a partitioned agent is downed by the resolver: it abandons its locks, the majority recovers it")
  void partitionHealedByResolver() throws Exception {
    start(3);
    ResourceName r = ResourceName.of("no-new-dev");
    DlmLock minority = spaces.get(2).lock(LockRequest.of(r, LockMode.EX));
    assertTrue(get(minority.requested()).granted());
    DlmLock waiter = spaces.get(1).lock(LockRequest.of(r, LockMode.EX));
    for (int i : new int[] {0, 1}) {
      Blackhole.cut(cluster.system(2), cluster.dlm(2), Cluster.get(cluster.system(i)).selfMember().address());
    }
    assertTrue(get(waiter.requested()).granted());
    await().atMost(WAIT).until(() -> ops.get(2).removed != null);
    DlmException e = assertThrows(DlmException.class, () -> minority.unlock(LockFlags.NONE));
    assertTrue(e.getMessage().contains("downed"), e.getMessage());
    assertTrue(ops.get(0).failed.stream().anyMatch(f -> f.node().equals(spaces.get(2).self())), ops.get(0).events.toString());
  }

  private long crashedAtNanos;

  private void crash(int i) {
    crashedAtNanos = System.nanoTime();
    for (int j = 0; j < cluster.size(); j++) {
      if (j != i) {
        Blackhole.cut(cluster.system(i), cluster.dlm(i), Cluster.get(cluster.system(j)).selfMember().address());
      }
    }
    cluster.system(i).terminate();
  }
}
