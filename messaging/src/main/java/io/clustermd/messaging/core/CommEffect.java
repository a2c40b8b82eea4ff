package io.clustermd.messaging.core;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.message.Envelope;
import java.util.List;

/**
 * What a communication core asks its shell to do. The core never calls anyone; each effect says
 * why (the protocol step it implements), which the shell logs.
 */
public sealed interface CommEffect {

  /**
   * A new lock (join). The shell requests {@link CommLock#resource} with an LVB buffer when
   * {@link CommLock#hasLvb()} and, for {@link CommLock#ACK}, the blocking callback.
   */
  record Request(CommLock lock, LockMode mode, LockFlags flags, String why) implements CommEffect {
    @Override
    public String toString() {
      return "request " + lock + " " + mode + " " + flags;
    }
  }

  /**
   * Convert; when {@code lvb} is not null the shell first copies it into the lock's LVB buffer.
   *
   * @param lvbContent what {@code lvb} holds, for logs (a message or receipt), or null
   */
  record Convert(CommLock lock, LockMode mode, LockFlags flags, byte[] lvb, String lvbContent, String why)
      implements CommEffect {
    @Override
    public String toString() {
      return "convert " + lock + " " + mode + " " + flags + (lvb == null ? "" : " lvb=" + lvbContent);
    }
  }

  /** Cancel the lock's pending operation, which completes with ECANCEL (or was granted already). */
  record Cancel(CommLock lock, String why) implements CommEffect {
    @Override
    public String toString() {
      return "cancel " + lock;
    }
  }

  /** Unlock for good, with FORCEUNLOCK (leave, or undoing a failed join). */
  record Unlock(CommLock lock, String why) implements CommEffect {
    @Override
    public String toString() {
      return "unlock " + lock;
    }
  }

  /**
   * Read the {@code receipt%04d} LVB of each slot (a CR request with VALBLK, then unlock) and
   * answer with {@link CommInput.ReceiptsRead}.
   */
  record ReadReceipts(List<MdSlot> slots, String why) implements CommEffect {
    public ReadReceipts {
      slots = List.copyOf(slots);
    }

    @Override
    public String toString() {
      return "read receipts " + slots;
    }
  }

  /** Hand a message to the handler; it answers with {@link CommInput.Processed} or a failure. */
  record Process(Envelope envelope) implements CommEffect {
    @Override
    public String toString() {
      return "process " + envelope.describe();
    }
  }

  /** Complete a local request. */
  record Succeed(long ticket, Outcome outcome) implements CommEffect {
    @Override
    public String toString() {
      return "succeed #" + ticket + " " + outcome;
    }
  }

  /** Fail a local request. */
  record Fail(long ticket, CommFailure failure) implements CommEffect {
    @Override
    public String toString() {
      return "fail #" + ticket + " " + failure;
    }
  }

  /** A decision worth one log line ({@code event} is the key, e.g. {@code messaging.held}). */
  record Note(String event, String detail) implements CommEffect {
    @Override
    public String toString() {
      return "note " + event + " " + detail;
    }
  }
}
