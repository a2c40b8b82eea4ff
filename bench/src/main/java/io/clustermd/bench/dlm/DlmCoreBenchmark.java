package io.clustermd.bench.dlm;

import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.LockResource;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.Step;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure DLM core on one thread: no owner, no executor, no copies beyond what the core makes.
 * Target (issue 2): at least 1,000,000 uncontended lock+unlock pairs per second on one core.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class DlmCoreBenchmark {

  private LockResource resource;
  private long nextId;
  /** The current EX holder in the handoff benchmark. */
  private LockId holder;
  /** A lock held PR throughout the convert benchmark. */
  private LockId converter;

  @Setup(Level.Iteration)
  public void setUp() {
    resource = new LockResource(ResourceName.of("token"), 64);
    nextId = 1;
    converter = new LockId(nextId++);
    resource.request(converter, LockMode.NL, LockFlags.NONE, null, true);
    holder = null;
  }

  /** A new EX request granted at once, then its unlock (two core steps). */
  @Benchmark
  public Object lockUnlockPair() {
    LockId id = new LockId(nextId++);
    resource.request(id, LockMode.EX, LockFlags.NONE, null, true);
    return resource.unlock(id, LockFlags.NONE, null);
  }

  /** NL→EX then EX→NL on a lock kept for the whole run (two core steps). */
  @Benchmark
  public Object convertUpDown() {
    resource.convert(converter, LockMode.EX, LockFlags.NONE, null);
    return resource.convert(converter, LockMode.NL, LockFlags.NONE, null);
  }

  /**
   * One contended handoff: a new EX request queues behind the holder (a bast to the holder), the
   * holder unlocks, the waiter is granted from the wait queue and becomes the holder.
   */
  @Benchmark
  public Object contendedHandoff() {
    LockId waiter = new LockId(nextId++);
    Step queued = resource.request(waiter, LockMode.EX, LockFlags.NONE, null, true);
    Step handedOver = holder == null ? queued : resource.unlock(holder, LockFlags.NONE, null);
    holder = waiter;
    return handedOver;
  }
}
