package io.clustermd.dlm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockMode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WaiterFutureTest {

  private static final StatusBlock GRANTED = new StatusBlock(DlmStatus.OK, 7, 0, LockMode.EX);

  private enum Wait { GET, TIMED_GET, JOIN }

  private static CompletableFuture<Object> waitInGet(WaiterFuture<StatusBlock> f, boolean timed) throws Exception {
    return waitIn(f, timed ? Wait.TIMED_GET : Wait.GET);
  }

  /** Starts a thread blocked in {@code how} and returns what it got, once the test completes the future. */
  private static CompletableFuture<Object> waitIn(WaiterFuture<StatusBlock> f, Wait how) throws Exception {
    CompletableFuture<Object> got = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        got.complete(switch (how) {
          case GET -> f.get();
          case TIMED_GET -> f.get(30, TimeUnit.SECONDS);
          case JOIN -> f.join();
        });
      } catch (Throwable e) {
        got.complete(e);
      }
    }, "waiter-" + how);
    t.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(
        () -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    return got;
  }

  @Test
  @DisplayName("a thread blocked in get is not a dependent, so completing the future runs no caller code, and it wakes")
  void waiterIsNotADependent() throws Exception {
    for (Wait how : Wait.values()) {
      WaiterFuture<StatusBlock> f = new WaiterFuture<>();
      CompletableFuture<Object> got = waitIn(f, how);
      assertTrue(f.hasNoDependents(), "a blocked " + how + " must not count as a dependent stage");
      f.complete(GRANTED);
      assertSame(GRANTED, got.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  @DisplayName("a chained stage is a dependent: the lock then completes the future on the callback executor")
  void chainedStageIsADependent() {
    WaiterFuture<StatusBlock> f = new WaiterFuture<>();
    f.thenAccept(sb -> {});
    assertFalse(f.hasNoDependents());
  }

  @Test
  @DisplayName("get keeps CompletableFuture's contract: timeout, failure as ExecutionException, a second waiter")
  void contract() throws Exception {
    WaiterFuture<StatusBlock> f = new WaiterFuture<>();
    assertThrows(TimeoutException.class, () -> f.get(20, TimeUnit.MILLISECONDS));
    CompletableFuture<Object> first = waitInGet(f, true);
    CompletableFuture<Object> second = waitInGet(f, false); // waits as a dependent
    DlmException why = new DlmException(DlmError.EINVAL, "lockspace gone");
    f.completeExceptionally(why);
    for (CompletableFuture<Object> got : java.util.List.of(first, second)) {
      Object r = got.get(10, TimeUnit.SECONDS);
      assertTrue(r instanceof ExecutionException, String.valueOf(r));
      assertSame(why, ((ExecutionException) r).getCause());
    }
    WaiterFuture<StatusBlock> done = new WaiterFuture<>();
    done.complete(GRANTED);
    assertEquals(GRANTED, done.get(0, TimeUnit.MILLISECONDS));
  }

  @Test
  @DisplayName("join keeps its contract: a failure as CompletionException, an interrupt neither ends the wait nor is lost")
  void joinContract() throws Exception {
    WaiterFuture<StatusBlock> f = new WaiterFuture<>();
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        f.join();
        outcome.complete(new AssertionError("join returned normally"));
      } catch (CompletionException e) {
        outcome.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("interrupt lost"));
      }
    }, "join-waiter");
    t.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> t.getState() == Thread.State.WAITING);
    t.interrupt();
    Awaitility.await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10))
        .until(() -> !outcome.isDone() && t.getState() == Thread.State.WAITING);
    DlmException why = new DlmException(DlmError.EINVAL, "lockspace gone");
    f.completeExceptionally(why);
    Object r = outcome.get(10, TimeUnit.SECONDS);
    assertTrue(r instanceof CompletionException, String.valueOf(r));
    assertSame(why, ((CompletionException) r).getCause());
  }
}
