package io.clustermd.dlm.core;

/**
 * What a resource step asks its shell to carry out. The core never calls anyone: the shell turns
 * a {@link Completion} into a completion callback (or a GRANT/reply message for a remote holder)
 * and a {@link Blocking} into a blocking callback (or a BAST message).
 */
public sealed interface Effect {

  LockId lock();

  /**
   * A completion AST ("cast", dlm.md §5.1).
   *
   * @param mode the lock's granted mode once the operation completed; null when the lock is gone
   *     (unlocked, cancelled while waiting, refused new request)
   * @param sbFlags the {@code sb_flags} byte ({@link SbFlag})
   * @param lvb the resource's LVB copied to the holder (a fresh array), or null when nothing was read
   */
  record Completion(
      LockId lock, DlmStatus status, LockMode mode, int sbFlags, byte[] lvb, Reason reason)
      implements Effect {

    /** Why the completion happened; logged by the shell once per decision. */
    public enum Reason {
      /** Compatible with every holder and queue order allowed it at once (§4.1). */
      GRANTED_AT_ONCE,
      /** EXPEDITE: a new NL request granted regardless of the queues (§4.1 step 1). */
      GRANTED_EXPEDITE,
      /** Granted from the convert queue after a release (§4.3 step 1). */
      GRANTED_FROM_CONVERT_QUEUE,
      /** Granted from the wait queue after a release (§4.3 step 2). */
      GRANTED_FROM_WAIT_QUEUE,
      /** NOQUEUE and not grantable (§3.2 step 3, §3.3 step 5). */
      REFUSED_NOQUEUE,
      /** The conversion would deadlock with a queued conversion (§7.1). */
      REFUSED_CONVERSION_DEADLOCK,
      /** Unlocked (§3.4). */
      UNLOCKED,
      /** The pending request or conversion was cancelled (§3.4). */
      CANCELLED
    }
  }

  /**
   * A blocking AST ("bast", dlm.md §5.2): some lock is waiting for {@code mode}, which this lock's
   * granted mode blocks.
   */
  record Blocking(LockId lock, LockMode mode, Reason reason) implements Effect {

    /** Which rule of §5.2 sent it. */
    public enum Reason {
      /** A request or conversion was queued behind this holder. */
      QUEUED_BEHIND,
      /** A NOQUEUE|NOQUEUEBAST request failed because of this holder (grant or convert queue). */
      NOQUEUE_REFUSED_BY,
      /** After re-evaluation, locks are still blocked by this holder (§4.3 step 4). */
      STILL_BLOCKING,
      /** NODLCKWT: this lock's own queued conversion is deadlocked (§4.3 step 1). */
      OWN_CONVERSION_DEADLOCKED
    }
  }
}
