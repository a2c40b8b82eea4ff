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
 */
public record LockRequest(
    ResourceName resource, LockMode mode, LockFlags flags, byte[] lvb, BlockingHandler blocking) {

  public LockRequest {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(flags, "flags");
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
    return new LockRequest(resource, mode, f, lvb, blocking);
  }

  /** Uses {@code buffer} as this lock's LVB and adds VALBLK. */
  public LockRequest withLvb(byte[] buffer) {
    return new LockRequest(resource, mode, flags.with(LockFlag.VALBLK), buffer, blocking);
  }

  public LockRequest onBlocking(BlockingHandler handler) {
    return new LockRequest(resource, mode, flags, lvb, handler);
  }
}
