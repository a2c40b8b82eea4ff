package io.clustermd.dlm.core.link;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The sending half of a link for one incarnation pair: sequence numbers and the bounded buffer of
 * frames sent but not yet acknowledged (midcomms' {@code send_queue}, but bounded), which is
 * exactly the range {@code ackedSeq + 1 .. nextSeq - 1}.
 *
 * @param <P> the payload type
 */
final class SendWindow<P> {

  /** One unacknowledged frame; {@code firstSentMillis} is when it was first transmitted. */
  record Pending<P>(long seq, P payload, long firstSentMillis) {}

  private final int sendWindowFramesMax;
  private final ArrayDeque<Pending<P>> unacked = new ArrayDeque<>();
  private long nextSeq = 1;
  private long ackedSeq = 0;

  SendWindow(int sendWindowFramesMax) {
    this.sendWindowFramesMax = sendWindowFramesMax;
  }

  boolean isFull() {
    return unacked.size() >= sendWindowFramesMax;
  }

  boolean isEmpty() {
    return unacked.isEmpty();
  }

  int size() {
    return unacked.size();
  }

  long nextSeq() {
    return nextSeq;
  }

  long ackedSeq() {
    return ackedSeq;
  }

  /** The oldest unacked frame; the window must not be empty. */
  Pending<P> oldest() {
    return unacked.getFirst();
  }

  /** Unacked frames in seq order, for a go-back-N retransmission. */
  Iterable<Pending<P>> unacked() {
    return Collections.unmodifiableCollection(unacked);
  }

  /** Assigns the next seq to {@code payload}; the caller checked {@link #isFull()}. */
  Pending<P> append(P payload, long nowMillis) {
    if (isFull()) {
      throw new IllegalStateException("append to a full window of " + sendWindowFramesMax);
    }
    Pending<P> pending = new Pending<>(nextSeq++, payload, nowMillis);
    unacked.addLast(pending);
    return pending;
  }

  /** Whether {@code ack} acknowledges a seq this window never assigned. */
  boolean isBeyondSent(long ack) {
    return ack >= nextSeq;
  }

  /**
   * Frees every frame up to and including {@code ack} (cumulative). Returns how many were freed;
   * an ack at or below {@link #ackedSeq()} frees nothing (it is old news).
   */
  int acknowledge(long ack) {
    if (isBeyondSent(ack)) {
      throw new IllegalArgumentException("ack " + ack + " beyond next seq " + nextSeq);
    }
    int freed = 0;
    while (ackedSeq < ack) {
      unacked.removeFirst();
      ackedSeq++;
      freed++;
    }
    return freed;
  }

  /** Starts again at seq 1 for a new incarnation pair; returns the unacked payloads in order. */
  List<P> reset() {
    List<P> payloads = new ArrayList<>(unacked.size());
    for (Pending<P> pending : unacked) {
      payloads.add(pending.payload());
    }
    unacked.clear();
    nextSeq = 1;
    ackedSeq = 0;
    return payloads;
  }

  /** Messages are built only on failure: this runs after every step of every simulation. */
  void checkInvariants() {
    if (ackedSeq < 0 || ackedSeq >= nextSeq) {
      throw violation("0 <= acked < next: acked=" + ackedSeq + " next=" + nextSeq);
    }
    if (unacked.size() != nextSeq - 1 - ackedSeq) {
      throw violation("buffer holds exactly acked+1..next-1: size=" + unacked.size()
          + " acked=" + ackedSeq + " next=" + nextSeq);
    }
    if (unacked.size() > sendWindowFramesMax) {
      throw violation("buffer within window: " + unacked.size() + " > " + sendWindowFramesMax);
    }
    long expected = ackedSeq + 1;
    long previousSentMillis = Long.MIN_VALUE;
    for (Pending<P> pending : unacked) {
      if (pending.seq() != expected) {
        throw violation("buffer seqs consecutive: " + pending.seq() + " != " + expected);
      }
      if (pending.firstSentMillis() < previousSentMillis) {
        throw violation("buffer in send-time order at seq " + expected);
      }
      previousSentMillis = pending.firstSentMillis();
      expected++;
    }
  }

  private static IllegalStateException violation(String message) {
    return new IllegalStateException("SendWindow invariant: " + message);
  }
}
