package io.clustermd.dlm.local;

import static io.clustermd.dlm.core.LockMode.CR;
import static io.clustermd.dlm.core.LockMode.EX;
import static io.clustermd.dlm.core.LockMode.NL;
import static io.clustermd.dlm.core.LockMode.PR;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The client API over the core in one JVM: what a libdlm user would do, end to end. */
class LocalLockspaceTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private LocalLockspace ls;

  @BeforeEach
  void open() {
    ls = LocalLockspace.create("test", 32, LocalLockspace.Options.defaults().withInvariantChecks());
  }

  @AfterEach
  void close() {
    ls.close();
  }

  private static StatusBlock completed(CompletionStage<StatusBlock> stage) {
    try {
      return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("completion did not arrive within " + WAIT, e);
    }
  }

  @Test
  @DisplayName("lock, convert and unlock complete with the kernel's statuses and report the mode held")
  void lifecycle() {
    DlmLock l = ls.lock(LockRequest.of("r", PR));
    assertEquals(new StatusBlock(DlmStatus.OK, l.id(), 0, PR), completed(l.requested()));
    assertEquals(EX, completed(l.convert(EX, LockFlags.NONE)).mode());
    StatusBlock u = completed(l.unlock(LockFlags.NONE));
    assertEquals(DlmStatus.EUNLOCK, u.status());
    assertEquals(null, u.mode());
    assertEquals(0, ls.resourceCount(), "the resource goes with its last lock");
  }

  @Test
  @DisplayName("a holder that gives way in its blocking callback hands the lock to the waiter")
  void handoffThroughBlockingCallback() {
    List<LockMode> basts = new CopyOnWriteArrayList<>();
    DlmLock holder =
        ls.lock(
            LockRequest.of("token", EX)
                .onBlocking(
                    (lock, mode) -> {
                      basts.add(mode);
                      lock.convert(NL, LockFlags.NONE);
                    }));
    completed(holder.requested());
    DlmLock waiter = ls.lock(LockRequest.of("token", EX));
    StatusBlock granted = completed(waiter.requested());
    assertEquals(EX, granted.mode());
    assertEquals(List.of(EX), basts);
  }

  @Test
  @DisplayName("dlm.md §8: an EX holder's LVB reaches the next reader's buffer before its completion")
  void lvbThroughTheApi() {
    byte[] mine = new byte[32];
    DlmLock writer = ls.lock(LockRequest.of("message", EX).withLvb(mine));
    completed(writer.requested());
    mine[0] = 42;
    mine[31] = 7;
    completed(writer.convert(CR, LockFlags.of(LockFlag.VALBLK)));
    byte[] theirs = new byte[32];
    DlmLock reader = ls.lock(LockRequest.of("message", CR).withLvb(theirs));
    StatusBlock sb = reader.requested().toCompletableFuture().thenApply(s -> {
      assertEquals(42, theirs[0], "the buffer is filled when the completion runs");
      return s;
    }).join();
    assertFalse(sb.valueNotValid());
    assertArrayEquals(mine, theirs);
  }

  @Test
  @DisplayName("dlm.md §3.4: a cancel that wins completes the pending request with ECANCEL")
  void cancelWins() {
    DlmLock holder = ls.lock(LockRequest.of("r", EX));
    completed(holder.requested());
    DlmLock waiter = ls.lock(LockRequest.of("r", EX));
    waiter.cancel();
    assertEquals(DlmStatus.ECANCEL, completed(waiter.requested()).status());
    assertThrows(DlmException.class, () -> waiter.unlock(LockFlags.NONE), "the lock id is dead");
  }

  @Test
  @DisplayName("dlm.md §3.4: a cancel that loses to a grant changes nothing and adds no completion")
  void cancelLoses() {
    DlmLock holder = ls.lock(LockRequest.of("r", EX));
    completed(holder.requested());
    DlmLock waiter = ls.lock(LockRequest.of("r", EX));
    completed(holder.unlock(LockFlags.NONE));
    assertEquals(DlmStatus.OK, completed(waiter.requested()).status());
    waiter.cancel();
    assertEquals(DlmStatus.EUNLOCK, completed(waiter.unlock(LockFlags.NONE)).status());
  }

  @Test
  @DisplayName("unlocking a waiting request ends both the request and the unlock with EUNLOCK: no caller hangs")
  void unlockWhileWaiting() {
    DlmLock holder = ls.lock(LockRequest.of("r", EX));
    completed(holder.requested());
    DlmLock waiter = ls.lock(LockRequest.of("r", EX));
    CompletionStage<StatusBlock> unlocked = waiter.unlock(LockFlags.NONE);
    assertEquals(DlmStatus.EUNLOCK, completed(unlocked).status());
    assertEquals(DlmStatus.EUNLOCK, completed(waiter.requested()).status());
  }

  @Test
  @DisplayName("bad input is refused synchronously with an error that names it")
  void badInput() {
    DlmException e = assertThrows(DlmException.class, () -> ls.lock(LockRequest.of("r", EX).withLvb(new byte[8])));
    assertEquals(DlmError.EINVAL, e.error());
    assertTrue(e.getMessage().contains("8 bytes"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LockRequest.of("x".repeat(65), EX));
    DlmException lvb = assertThrows(DlmException.class, () -> LocalLockspace.create("bad", 12));
    assertTrue(lvb.getMessage().contains("12"));
    DlmException name = assertThrows(DlmException.class, () -> LocalLockspace.create("n".repeat(65), 32));
    assertTrue(name.getMessage().contains("65"));
    DlmLock held = ls.lock(LockRequest.of("r", PR));
    completed(held.requested());
    DlmException q = assertThrows(DlmException.class, () -> held.convert(NL, LockFlags.of(LockFlag.QUECVT)));
    assertTrue(q.getMessage().contains("QUECVT"));
    assertEquals(PR, completed(held.convert(PR, LockFlags.NONE)).mode(), "the refusal changed nothing");
    assertEquals(0, ls.lock(LockRequest.of("other", EX)).requested().toCompletableFuture().join().sbFlags());
  }

  @Test
  @DisplayName("dlm.md §5.3: each lock sees its callbacks in order and never two at once, under 4 contending threads")
  void perLockOrderUnderContention() throws Exception {
    int threads = 4;
    int rounds = 500;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    int[] counter = {0};
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < rounds; i++) {
                    DlmLock l = ls.lock(LockRequest.of("hot", EX));
                    StatusBlock sb = completed(l.requested());
                    if (sb.status() != DlmStatus.OK) {
                      problems.add("request ended " + sb);
                    }
                    int now = inside.incrementAndGet();
                    maxInside.accumulateAndGet(now, Math::max);
                    counter[0]++; // unsynchronised on purpose: EX must make it safe
                    inside.decrementAndGet();
                    StatusBlock u = completed(l.unlock(LockFlags.NONE));
                    if (u.status() != DlmStatus.EUNLOCK) {
                      problems.add("unlock ended " + u);
                    }
                  }
                } catch (Throwable e) {
                  problems.add(e.toString());
                } finally {
                  done.countDown();
                }
              });
      workers.add(w);
      w.start();
    }
    assertTrue(done.await(60, TimeUnit.SECONDS), "workers finished");
    assertEquals(List.of(), new ArrayList<>(problems));
    assertEquals(1, maxInside.get(), "EX admitted one holder at a time");
    assertEquals(threads * rounds, counter[0]);
    await().atMost(WAIT).until(() -> ls.resourceCount() == 0);
  }

  @Test
  @DisplayName("closing the lockspace fails outstanding requests instead of leaving them hanging")
  void closeFailsOutstanding() {
    DlmLock holder = ls.lock(LockRequest.of("r", EX));
    completed(holder.requested());
    DlmLock waiter = ls.lock(LockRequest.of("r", EX));
    ls.close();
    Exception e = assertThrows(Exception.class, () -> waiter.requested().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof DlmException, e.toString());
    assertThrows(DlmException.class, () -> ls.lock(LockRequest.of("r", EX)));
  }
}
