package io.clustermd.dlm.core.cluster;

import io.clustermd.dlm.core.CallbackFilter;
import io.clustermd.dlm.core.LockFlag;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.LockResource.LockSnapshot;
import io.clustermd.dlm.core.LockStatus;
import io.clustermd.dlm.core.ResourceName;

/**
 * A local client's lock as this node (its holder) sees it: fs/dlm's "process copy" when the
 * master is remote, or the holder half of a "local copy".
 */
final class Held {

  /** What the holder is waiting for. */
  enum Pending {
    /** Nothing in flight. */
    NONE,
    /** Asked for while locking is stopped; runs once recovery is done. */
    DEFERRED,
    /** A new request waits for the directory to say who masters the resource. */
    MASTER,
    /** A request, conversion, unlock or cancel was sent and its reply is awaited. */
    REQUEST,
    CONVERT,
    UNLOCK,
    CANCEL
  }

  final LockId id;
  final ResourceName name;
  final boolean wantsBast;
  final CallbackFilter filter = new CallbackFilter();
  /** The holder's LVB buffer contents as last read or written; null when the client gave none. */
  final byte[] lvb;
  int lvbSeq;

  /** The master copy's id ({@code lkb_remid}); null until the master answered. */
  LockId masterId;
  LockMode grmode;
  LockMode rqmode;
  LockStatus status = LockStatus.NEW;
  LockFlags flags;
  Pending pending = Pending.NONE;

  /** The operation to resend after recovery when its master departed with it in flight. */
  LockMode resendMode;
  LockFlags resendFlags;
  boolean resendRequest;
  boolean resendConvert;

  /** A cancel or FORCEUNLOCK arrived while a request or conversion was in flight (fs/dlm "overlap"). */
  boolean cancelOverlap;
  LockFlags unlockOverlap;

  /**
   * Recovery took a conversion whose master departed with it in flight as queued at the new master,
   * since its outcome there is unknown (dlm.md §10.3 step 4, PR&lt;-&gt;CW; CONVDEADLK likewise): an
   * overlapped unlock or cancel, or the cancel a NOQUEUE conversion needs, is started after recovery.
   */
  boolean queuedByRecovery;
  /** A NOQUEUE conversion queued by recovery is cancelled if not granted: it completes with EAGAIN. */
  boolean cancelAsNoqueue;

  /**
   * The client was told EUNLOCK when the unlock was sent to the remote master (one message, as a
   * down-conversion is): the lock stays here, invisible to the client and silent, until the master's
   * reply or recovery ends it, so that recovery still sees it as fs/dlm sees an unlock in flight.
   */
  boolean unlockAnnounced;

  /** Whether the client still sees this lock: completions, failures and blocking callbacks reach it. */
  boolean visible() {
    return !unlockAnnounced;
  }

  Held(LockId id, ResourceName name, boolean wantsBast, byte[] lvb) {
    this.id = id;
    this.name = name;
    this.wantsBast = wantsBast;
    this.lvb = lvb == null ? null : lvb.clone();
  }

  /** Whether a master holds a copy of this lock (it was queued or granted there). */
  boolean existsAtMaster() {
    return status == LockStatus.GRANTED || status == LockStatus.WAITING || status == LockStatus.CONVERT;
  }

  /**
   * The held mode this lock may be relied on to have at a master that departed: none while it waits, and
   * NL for a queued CONVDEADLK conversion, which that master may have demoted to NL without our knowing
   * (the holder learns it only with the conversion's completion, dlm.md §7.1) and granted others
   * accordingly; else the mode the holder was granted.
   */
  LockMode grantedModeForRecovery() {
    if (status == LockStatus.WAITING) {
      return null;
    }
    if (status == LockStatus.CONVERT && flags.has(LockFlag.CONVDEADLK)) {
      return LockMode.NL;
    }
    return grmode;
  }

  /**
   * The lock as a new master must re-create it (fs/dlm RCOM_LOCK), with the held mode of
   * {@link #grantedModeForRecovery()}.
   */
  LockSnapshot snapshot() {
    LockMode rq = status == LockStatus.GRANTED ? null : rqmode;
    return new LockSnapshot(id, grantedModeForRecovery(), rq, flags, lvb == null ? null : lvb.clone(), lvbSeq, wantsBast);
  }

  @Override
  public String toString() {
    return "held " + id + " " + name + " " + status + " gr=" + grmode + " rq=" + rqmode + " pending=" + pending;
  }
}
