package io.clustermd.dlm.api;

import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import java.util.Objects;

/**
 * A new lock request ({@code dlm_lock} without CONVERT).
 *
 * @param lvb the caller's LVB buffer of exactly the lockspace's LVB length, or null: read into on
 *     grants with VALBLK, written from on PW/EX down-conversions and unlocks with VALBLK
 * @param blocking the blocking callback, or null for none (the lock is then never basted)
 * @param nonBlockingCallbacks the caller promises that the blocking callback and every stage it
 *     chains to this lock's futures with a non-async method return promptly: they never block and
 *     never wait for another lock event. The lockspace may then run them on the thread that
 *     received the event (the frame transport's I/O thread, a tick) instead of handing them to its
 *     callback executor, as fs/dlm runs an AST in its callback context. Order is unchanged: one at
 *     a time per lock, in the core's order. A permission, not a promise: a lockspace may still use
 *     its executor ({@code LocalLockspace} always does).
 */
public record LockRequest(
    ResourceName resource,
    LockMode mode,
    LockFlags flags,
    byte[] lvb,
    BlockingHandler blocking,
    boolean nonBlockingCallbacks) {

  public LockRequest {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(flags, "flags");
  }

  /** A request whose callbacks run on the lockspace's callback executor. */
  public LockRequest(ResourceName resource, LockMode mode, LockFlags flags, byte[] lvb, BlockingHandler blocking) {
    this(resource, mode, flags, lvb, blocking, false);
  }

  public static LockRequest of(String resource, LockMode mode) {
    return new LockRequest(ResourceName.of(resource), mode, LockFlags.NONE, null, null);
  }

  public static LockRequest of(ResourceName resource, LockMode mode) {
    return new LockRequest(resource, mode, LockFlags.NONE, null, null);
  }

  public LockRequest withFlags(LockFlag... more) {
    LockFlags f = flags;
    for (LockFlag x : more) {
      f = f.with(x);
    }
    return new LockRequest(resource, mode, f, lvb, blocking, nonBlockingCallbacks);
  }

  /** Uses {@code buffer} as this lock's LVB and adds VALBLK. */
  public LockRequest withLvb(byte[] buffer) {
    return new LockRequest(resource, mode, flags.with(LockFlag.VALBLK), buffer, blocking, nonBlockingCallbacks);
  }

  public LockRequest onBlocking(BlockingHandler handler) {
    return new LockRequest(resource, mode, flags, lvb, handler, nonBlockingCallbacks);
  }

  /** See {@code nonBlockingCallbacks}: the callbacks may run on the thread that received the event. */
  public LockRequest withNonBlockingCallbacks() {
    return new LockRequest(resource, mode, flags, lvb, blocking, true);
  }
}
