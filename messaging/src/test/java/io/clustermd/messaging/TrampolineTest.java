package io.clustermd.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Trampoline}: one task at a time, in order, on the submitting threads. */
class TrampolineTest {

  private static final Trampoline.Failures RETHROW = (task, e) -> {
    throw e;
  };

  @Test
  @DisplayName("a task submitted by a running task runs after it, on the same thread, not nested inside it")
  void reentrantSubmitRunsAfter() {
    Trampoline t = new Trampoline(RETHROW);
    List<String> order = new ArrayList<>();
    t.execute(() -> {
      order.add("a start");
      t.execute(() -> order.add("b"));
      order.add("a end");
    });
    assertEquals(List.of("a start", "a end", "b"), order);
  }

  @Test
  @DisplayName("eight threads submitting 20,000 tasks each: every task runs once and no two overlap")
  void concurrentSubmittersNeverOverlap() throws Exception {
    Trampoline t = new Trampoline(RETHROW);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    int[] ran = {0}; // written only inside tasks: the trampoline must make that safe
    int threads = 8;
    int each = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> all = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread th = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int k = 0; k < each; k++) {
          t.execute(() -> {
            if (inside.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            ran[0]++;
            inside.decrementAndGet();
          });
        }
      });
      th.start();
      all.add(th);
    }
    start.countDown();
    for (Thread th : all) {
      th.join(TimeUnit.SECONDS.toMillis(60));
      assertFalse(th.isAlive(), "a submitter did not finish within 60 s");
    }
    CountDownLatch flushed = new CountDownLatch(1);
    t.execute(flushed::countDown);
    assertTrue(flushed.await(10, TimeUnit.SECONDS));
    assertEquals(0, overlaps.get());
    assertEquals(threads * each, ran[0]);
  }

  @Test
  @DisplayName("a task that throws is reported and the next one still runs; a closed trampoline refuses tasks")
  void failuresAndClose() {
    List<String> failed = new ArrayList<>();
    Trampoline t = new Trampoline((task, e) -> failed.add(e.getMessage()));
    List<String> ran = new ArrayList<>();
    t.execute(() -> {
      t.execute(() -> ran.add("after"));
      throw new IllegalStateException("boom");
    });
    assertEquals(List.of("boom"), failed);
    assertEquals(List.of("after"), ran);
    t.close();
    assertFalse(t.execute(() -> ran.add("late")));
    assertEquals(List.of("after"), ran);
  }
}
