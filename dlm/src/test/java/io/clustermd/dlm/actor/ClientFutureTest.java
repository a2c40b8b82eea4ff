package io.clustermd.dlm.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.StatusBlock;
import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.dlm.core.LockMode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClientFutureTest {

  private static final StatusBlock GRANTED = new StatusBlock(DlmStatus.OK, 7, 0, LockMode.EX);

  /** Starts a thread blocked in {@code get} and returns what it got, once the test completes the future. */
  private static CompletableFuture<Object> waitInGet(ClientFuture f, boolean timed) throws Exception {
    CompletableFuture<Object> got = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        got.complete(timed ? f.get(30, TimeUnit.SECONDS) : f.get());
      } catch (Throwable e) {
        got.complete(e);
      }
    }, "client-future-waiter");
    t.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(
        () -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    return got;
  }

  @Test
  @DisplayName("a thread blocked in get is not a dependent, so completing the future runs no caller code, and it wakes")
  void waiterIsNotADependent() throws Exception {
    for (boolean timed : new boolean[] {false, true}) {
      ClientFuture f = new ClientFuture();
      CompletableFuture<Object> got = waitInGet(f, timed);
      assertTrue(f.hasNoDependents(), "a blocked get must not count as a dependent stage (timed=" + timed + ")");
      f.complete(GRANTED);
      assertSame(GRANTED, got.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  @DisplayName("a chained stage is a dependent: the lock then completes the future on the callback executor")
  void chainedStageIsADependent() {
    ClientFuture f = new ClientFuture();
    f.thenAccept(sb -> {});
    assertFalse(f.hasNoDependents());
  }

  @Test
  @DisplayName("get keeps CompletableFuture's contract: timeout, failure as ExecutionException, a second waiter")
  void contract() throws Exception {
    ClientFuture f = new ClientFuture();
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
    ClientFuture done = new ClientFuture();
    done.complete(GRANTED);
    assertEquals(GRANTED, done.get(0, TimeUnit.MILLISECONDS));
  }
}
