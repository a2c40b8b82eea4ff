package io.clustermd.dlm.api;

import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.ResourceName;
import java.util.concurrent.CompletionStage;

/**
 * One lock, valid from the moment {@link Lockspace#lock} returns (dlm.md §15: "lock id valid
 * immediately"). Every accepted operation completes exactly once, in order per lock; a cancel
 * has no completion of its own: it completes the pending operation with ECANCEL, or, when it
 * lost to a grant, nothing happens (dlm.md §3.4).
 *
 * <p>Threads: a completion of this lock's own operation that is decided at once (an immediate
 * grant, an unlock) is delivered on the calling thread before the call returns; everything else
 * (queued grants, blocking callbacks) on the lockspace's callback threads. Either way one lock's
 * callbacks never overlap and keep their order.
 *
 * <p>Methods throw {@link DlmException} for a synchronous refusal.
 */
public interface DlmLock {

  /** The lock id ({@code sb_lkid}). */
  long id();

  ResourceName resource();

  /** The completion of the request that created this lock. */
  CompletionStage<StatusBlock> requested();

  /** Convert (dlm.md §3.3); the blocking callback stays as it was. */
  CompletionStage<StatusBlock> convert(LockMode mode, LockFlags flags);

  /** Convert and replace the blocking callback (fs/dlm lets a conversion change it). */
  CompletionStage<StatusBlock> convert(LockMode mode, LockFlags flags, BlockingHandler blocking);

  /** Unlock (dlm.md §3.4), completing with EUNLOCK. Allowed in any state; flags: VALBLK, IVVALBLK, FORCEUNLOCK. */
  CompletionStage<StatusBlock> unlock(LockFlags flags);

  /** Cancel the pending request or conversion (dlm.md §3.4). */
  void cancel();

  /** The caller's LVB buffer given at request time, or null. */
  byte[] lvb();
}
