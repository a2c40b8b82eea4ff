package io.clustermd.dlm.local;

import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.api.DlmLock;
import io.clustermd.dlm.api.LockRequest;
import io.clustermd.dlm.api.Lockspace;
import io.clustermd.dlm.core.DlmError;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.ResourceName;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lockspace inside one JVM, over the pure core: every resource has one owner
 * ({@link ResourceOwner}) that runs the core's steps one at a time, and every lock delivers its
 * callbacks in order on the callback executor. The distributed lockspace keeps this API and adds
 * mastering, messages and recovery.
 */
public final class LocalLockspace implements Lockspace {

  /**
   * @param callbackThreads threads that deliver completions and blocking callbacks
   * @param checkInvariants run the core's {@code checkInvariants()} after every step (tests and
   *     the simulator do; it costs a pass over the resource's queues)
   */
  public record Options(int callbackThreads, boolean checkInvariants) {
    public Options {
      if (callbackThreads < 1) {
        throw new IllegalArgumentException("callbackThreads must be at least 1, not " + callbackThreads);
      }
    }

    public static Options defaults() {
      return new Options(Math.max(2, Runtime.getRuntime().availableProcessors()), false);
    }

    public Options withInvariantChecks() {
      return new Options(callbackThreads, true);
    }
  }

  private final String name;
  private final int lvbLength;
  private final Options options;
  private final ConcurrentHashMap<ResourceName, ResourceOwner> resources = new ConcurrentHashMap<>();
  private final AtomicLong lastLockId = new AtomicLong();
  private final ExecutorService callbacks;
  private volatile boolean closed;

  private LocalLockspace(String name, int lvbLength, Options options) {
    this.name = name;
    this.lvbLength = lvbLength;
    this.options = options;
    this.callbacks = Executors.newFixedThreadPool(options.callbackThreads(), daemonThreads(name));
  }

  /**
   * Creates a lockspace (dlm.md §9.1).
   *
   * @throws DlmException EINVAL when the name is empty or longer than 64 bytes, or the LVB length
   *     is not a non-negative multiple of 8
   */
  public static LocalLockspace create(String name, int lvbLength, Options options) {
    int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (nameBytes == 0 || nameBytes > MAX_NAME_LENGTH) {
      throw new DlmException(
          DlmError.EINVAL, "lockspace name is " + nameBytes + " bytes; it must be 1 to " + MAX_NAME_LENGTH);
    }
    if (lvbLength < 0 || lvbLength % 8 != 0) {
      throw new DlmException(
          DlmError.EINVAL, "LVB length " + lvbLength + " must be a non-negative multiple of 8");
    }
    return new LocalLockspace(name, lvbLength, options);
  }

  public static LocalLockspace create(String name, int lvbLength) {
    return create(name, lvbLength, Options.defaults());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int lvbLength() {
    return lvbLength;
  }

  @Override
  public DlmLock lock(LockRequest request) {
    if (closed) {
      throw new DlmException(DlmError.EINVAL, "lockspace " + name + " is closed");
    }
    LocalLock lock =
        new LocalLock(new LockId(lastLockId.incrementAndGet()), request, callbacks);
    while (true) {
      ResourceOwner owner =
          resources.computeIfAbsent(request.resource(), n -> new ResourceOwner(this, n, lvbLength));
      if (owner.request(lock, request)) {
        return lock;
      }
      // The owner retired (its last lock left) between the lookup and the request: look again.
    }
  }

  /** Number of resources that currently have at least one lock. */
  public int resourceCount() {
    return resources.size();
  }

  boolean checkInvariants() {
    return options.checkInvariants();
  }

  void retire(ResourceOwner owner) {
    resources.remove(owner.name(), owner);
  }

  @Override
  public void close() {
    closed = true;
    for (ResourceOwner owner : resources.values()) {
      owner.abandon(new DlmException(DlmError.EINVAL, "lockspace " + name + " was closed"));
    }
    resources.clear();
    callbacks.shutdown();
  }

  private static ThreadFactory daemonThreads(String lockspace) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "dlm-" + lockspace + "-callbacks-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
