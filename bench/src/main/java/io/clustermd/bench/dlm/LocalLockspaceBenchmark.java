package io.clustermd.bench.dlm;

import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.local.LocalLockspace;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The client API of the single-JVM lockspace, as an application sees it: each call waits for
 * its completion, which arrives on the lockspace's callback thread. Sample mode gives the latency
 * distribution (p50, p99). Target (issue 2): p50 under 20 µs.
 */
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class LocalLockspaceBenchmark {

  private LocalLockspace ls;
  private DlmLock kept;

  @Setup(Level.Trial)
  public void setUp() {
    ls = LocalLockspace.create("bench", 64);
    kept = ls.lock(LockRequest.of("kept", LockMode.NL));
    kept.requested().toCompletableFuture().join();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ls.close();
  }

  /** lock(EX) and wait for the grant, then unlock and wait for EUNLOCK. */
  @Benchmark
  public StatusBlock lockUnlockPair() {
    DlmLock l = ls.lock(LockRequest.of("token", LockMode.EX));
    l.requested().toCompletableFuture().join();
    return l.unlock(LockFlags.NONE).toCompletableFuture().join();
  }

  /** NL→EX then EX→NL on a kept lock, each waited for. */
  @Benchmark
  public StatusBlock convertUpDown() {
    kept.convert(LockMode.EX, LockFlags.NONE).toCompletableFuture().join();
    return kept.convert(LockMode.NL, LockFlags.NONE).toCompletableFuture().join();
  }
}
