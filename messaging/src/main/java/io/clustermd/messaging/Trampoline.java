package io.clustermd.messaging;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A mailbox without a thread of its own: tasks run one at a time, in the order they were submitted,
 * on the thread that submits when no task is running. A thread that submits while another task is
 * running only queues its task, and the running thread runs it before it returns.
 *
 * <p>Why: a communicator's inputs arrive on the DLM's threads (the frame transport's I/O thread,
 * its callback threads), its handler thread, its callers' threads and its timer. A mailbox thread would add one more thread wake-up to every step of a broadcast, and on a
 * 2-vCPU host that costs 1 to 5 ms ({@code bench/RESULTS.md}, "the DLM's own transport"). The tasks
 * must not block, which a communicator's steps never do: they only start lock operations and hand
 * messages to the handler's thread.
 *
 * <p>The atomic flag orders the tasks: a thread sets it before it runs a task and clears it after,
 * so each task sees everything that the tasks before it wrote.
 */
final class Trampoline {

  /** Where a task's unexpected exception goes; the next task runs anyway. */
  interface Failures {
    void failed(Runnable task, RuntimeException e);
  }

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final Failures failures;
  private volatile boolean closed;

  Trampoline(Failures failures) {
    this.failures = failures;
  }

  /** False, and nothing queued, once {@link #close()} was called. */
  boolean execute(Runnable task) {
    if (closed) {
      return false;
    }
    queue.add(task);
    drain();
    return true;
  }

  /** Tasks already queued are dropped; later ones are refused. */
  void close() {
    closed = true;
    queue.clear();
  }

  private void drain() {
    // Another submitter may queue a task just after this thread found the queue empty but before it
    // cleared the flag: that submitter saw the flag set and left. So look again after clearing it.
    while (!queue.isEmpty() && running.compareAndSet(false, true)) {
      try {
        for (Runnable next; !closed && (next = queue.poll()) != null; ) {
          try {
            next.run();
          } catch (RuntimeException e) {
            failures.failed(next, e);
          }
        }
      } finally {
        running.set(false);
      }
    }
  }
}
