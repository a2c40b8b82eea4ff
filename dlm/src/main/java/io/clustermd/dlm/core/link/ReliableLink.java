package io.clustermd.dlm.core.link;

import io.clustermd.dlm.core.link.LinkEffect.Deliver;
import io.clustermd.dlm.core.link.LinkEffect.Dropped;
import io.clustermd.dlm.core.link.LinkEffect.PeerRestarted;
import io.clustermd.dlm.core.link.LinkEffect.PeerUnresponsive;
import io.clustermd.dlm.core.link.LinkEffect.SendRefused;
import io.clustermd.dlm.core.link.LinkEffect.Transmit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reliable, ordered, exactly-once delivery between this node and one peer over a transport that
 * keeps per-pair order but may lose messages (Artery: a message vanishes when an association
 * drops and comes back, and always to or from a crashed node). fs/dlm's midcomms does the same
 * over TCP (dlm.md §11, MID header comment): per-peer sequence numbers, acknowledgements,
 * retransmission of unacknowledged messages, duplicate suppression at the receiver, and a version
 * handshake, here an incarnation pair.
 *
 * <p>Rules, one per input:
 *
 * <ul>
 *   <li>{@link #send}: assign the next seq, keep the payload until acknowledged, transmit it with
 *       the current cumulative ack piggybacked; refuse when {@code sendWindowFramesMax} frames are
 *       unacknowledged.
 *   <li>{@link #receive}: drop frames of a dead peer incarnation or addressed to a dead incarnation
 *       of us (answering the latter with our incarnation); adopt a newer peer incarnation
 *       (everything of the old one is void); apply the cumulative ack; deliver the next seq in
 *       order, drop duplicates and frames beyond a gap and re-ack (go-back-N: Artery keeps order,
 *       so a gap means the frames in between vanished and will be retransmitted).
 *   <li>{@link #tick}: retransmit every unacked frame when the retransmission timer expires (the
 *       timeout doubles up to {@code retransmitMillisMax} until an ack makes progress); send a
 *       delayed standalone ack; surface {@link PeerUnresponsive} when a bound expires.
 * </ul>
 *
 * <p>Pure: time is the {@code nowMillis} argument; the shell calls {@link #tick} at {@link
 * #nextDeadlineMillis()}.
 *
 * @param <P> the payload type
 */
public final class ReliableLink<P> {

  /** "No timer armed". */
  private static final long NONE = Long.MAX_VALUE;
  /** "Never happened". */
  private static final long NEVER = Long.MIN_VALUE;

  private final LinkOptions options;
  private final long localIncarnation;
  private long peerIncarnation;

  // Sending half.
  private final SendWindow<P> window;
  private long retransmitDueMillis = NONE;
  private long backoffMillis;
  private long windowFullSinceMillis = NONE;
  private boolean unackedReported;
  private boolean windowFullReported;

  // Receiving half. receivedSeq - ackTransmittedSeq in-order frames are owed an ack.
  private long receivedSeq;
  private long ackTransmittedSeq;
  private long ackDueMillis = NONE;
  private long lastReAckMillis = NEVER;

  /**
   * @param localIncarnation this node's incarnation (its Akka member uid), &gt; 0
   * @param peerIncarnation the peer's incarnation as membership reports it, &gt; 0
   */
  public ReliableLink(long localIncarnation, long peerIncarnation, LinkOptions options) {
    if (localIncarnation <= 0 || peerIncarnation <= 0) {
      throw new IllegalArgumentException(
          "incarnations must be > 0: local=" + localIncarnation + " peer=" + peerIncarnation);
    }
    this.options = Objects.requireNonNull(options, "options");
    this.localIncarnation = localIncarnation;
    this.peerIncarnation = peerIncarnation;
    this.window = new SendWindow<>(options.sendWindowFramesMax());
    this.backoffMillis = options.retransmitMillis();
  }

  /** Sends {@code payload} to the peer: a {@link Transmit} or, when the window is full, a {@link SendRefused}. */
  public List<LinkEffect<P>> send(P payload, long nowMillis) {
    Objects.requireNonNull(payload, "payload");
    List<LinkEffect<P>> effects = new ArrayList<>(1);
    if (window.isFull()) {
      if (windowFullSinceMillis == NONE) {
        windowFullSinceMillis = nowMillis;
      }
      effects.add(new SendRefused<>(payload, SendRefused.Reason.WINDOW_FULL, window.size()));
      return effects;
    }
    if (window.isEmpty()) {
      backoffMillis = options.retransmitMillis();
      retransmitDueMillis = nowMillis + backoffMillis;
    }
    transmitData(window.append(payload, nowMillis), Transmit.Reason.NEW_DATA, effects);
    return effects;
  }

  /** Handles a frame that arrived from the network. */
  public List<LinkEffect<P>> receive(Frame<P> frame, long nowMillis) {
    List<LinkEffect<P>> effects = new ArrayList<>(2);
    if (frame.senderIncarnation() < peerIncarnation) {
      effects.add(new Dropped<>(frame, Dropped.Reason.STALE_PEER_INCARNATION));
      return effects;
    }
    if (frame.receiverIncarnation() > localIncarnation) {
      effects.add(new Dropped<>(frame, Dropped.Reason.ADDRESSED_TO_UNKNOWN_INCARNATION));
      return effects;
    }
    if (frame.senderIncarnation() > peerIncarnation) {
      adoptPeerIncarnation(
          frame.senderIncarnation(), PeerRestarted.Reason.FRAME_FROM_NEW_INCARNATION, effects);
    }
    if (frame.receiverIncarnation() < localIncarnation) {
      effects.add(new Dropped<>(frame, Dropped.Reason.ADDRESSED_TO_OLD_INCARNATION));
      reAck(Transmit.Reason.ACK_INCARNATION_HANDSHAKE, nowMillis, effects);
      return effects;
    }
    if (window.isBeyondSent(frame.ack())) {
      effects.add(new Dropped<>(frame, Dropped.Reason.ACK_BEYOND_SENT));
      return effects;
    }
    applyAck(frame.ack(), nowMillis);
    if (frame.isData()) {
      receiveData(frame, nowMillis, effects);
    }
    flushDueAck(nowMillis, effects);
    return effects;
  }

  /** Fires the timers that are due at {@code nowMillis}. */
  public List<LinkEffect<P>> tick(long nowMillis) {
    List<LinkEffect<P>> effects = new ArrayList<>();
    if (retransmitDueMillis <= nowMillis) {
      retransmitAll(Transmit.Reason.RETRANSMIT_TIMEOUT, effects);
      backoffMillis = Math.min(backoffMillis * 2, options.retransmitMillisMax());
      retransmitDueMillis = nowMillis + backoffMillis;
    }
    flushDueAck(nowMillis, effects);
    checkBounds(nowMillis, effects);
    return effects;
  }

  /**
   * The shell learned from cluster membership that the peer has a newer incarnation. A hint that
   * is not newer than what the link knows is stale and ignored.
   */
  public List<LinkEffect<P>> peerRestarted(long newPeerIncarnation, long nowMillis) {
    List<LinkEffect<P>> effects = new ArrayList<>(1);
    if (newPeerIncarnation > peerIncarnation) {
      adoptPeerIncarnation(newPeerIncarnation, PeerRestarted.Reason.MEMBERSHIP_HINT, effects);
    }
    return effects;
  }

  /**
   * The shell saw the connection come back (frames in flight may have vanished): retransmit now
   * instead of waiting for the timer, or refresh the peer's view of our ack.
   */
  public List<LinkEffect<P>> connectionReset(long nowMillis) {
    List<LinkEffect<P>> effects = new ArrayList<>();
    if (!window.isEmpty()) {
      retransmitAll(Transmit.Reason.RETRANSMIT_CONNECTION_RESET, effects);
      backoffMillis = options.retransmitMillis();
      retransmitDueMillis = nowMillis + backoffMillis;
    } else if (receivedSeq > 0) {
      transmitAck(Transmit.Reason.ACK_CONNECTION_RESET, effects);
    }
    return effects;
  }

  /** When {@link #tick} next has something to do; {@link Long#MAX_VALUE} when nothing is armed. */
  public long nextDeadlineMillis() {
    long deadline = Math.min(retransmitDueMillis, ackDueMillis);
    if (!window.isEmpty() && !unackedReported) {
      deadline = Math.min(deadline, window.oldest().firstSentMillis() + options.unackedMillisMax());
    }
    if (windowFullSinceMillis != NONE && !windowFullReported) {
      deadline = Math.min(deadline, windowFullSinceMillis + options.windowFullMillisMax());
    }
    return deadline;
  }

  // ---- the sending half -------------------------------------------------------------------

  private void applyAck(long ack, long nowMillis) {
    if (window.acknowledge(ack) == 0) {
      return;
    }
    backoffMillis = options.retransmitMillis();
    retransmitDueMillis = window.isEmpty() ? NONE : nowMillis + backoffMillis;
    unackedReported = false;
    windowFullSinceMillis = NONE;
    windowFullReported = false;
  }

  private void retransmitAll(Transmit.Reason reason, List<LinkEffect<P>> effects) {
    for (SendWindow.Pending<P> pending : window.unacked()) {
      transmitData(pending, reason, effects);
    }
  }

  private void transmitData(
      SendWindow.Pending<P> pending, Transmit.Reason reason, List<LinkEffect<P>> effects) {
    Frame<P> frame =
        Frame.data(localIncarnation, peerIncarnation, pending.seq(), receivedSeq, pending.payload());
    ackTransmitted();
    effects.add(new Transmit<>(frame, reason));
  }

  private void checkBounds(long nowMillis, List<LinkEffect<P>> effects) {
    if (!window.isEmpty() && !unackedReported) {
      long waited = nowMillis - window.oldest().firstSentMillis();
      if (waited >= options.unackedMillisMax()) {
        unackedReported = true;
        effects.add(new PeerUnresponsive<>(
            PeerUnresponsive.Reason.UNACKED_TOO_LONG, waited, window.size()));
      }
    }
    if (windowFullSinceMillis != NONE && !windowFullReported) {
      long waited = nowMillis - windowFullSinceMillis;
      if (waited >= options.windowFullMillisMax()) {
        windowFullReported = true;
        effects.add(new PeerUnresponsive<>(
            PeerUnresponsive.Reason.WINDOW_FULL_TOO_LONG, waited, window.size()));
      }
    }
  }

  // ---- the receiving half -----------------------------------------------------------------

  private void receiveData(Frame<P> frame, long nowMillis, List<LinkEffect<P>> effects) {
    long expected = receivedSeq + 1;
    if (frame.seq() == expected) {
      receivedSeq = expected;
      effects.add(new Deliver<>(frame.payload(), peerIncarnation, frame.seq()));
      if (receivedSeq - ackTransmittedSeq >= options.ackEveryFrames()) {
        transmitAck(Transmit.Reason.ACK_EVERY_FRAMES, effects);
      } else if (ackDueMillis == NONE) {
        ackDueMillis = nowMillis + options.ackDelayMillis();
      }
    } else if (frame.seq() < expected) {
      effects.add(new Dropped<>(frame, Dropped.Reason.DUPLICATE));
      reAck(Transmit.Reason.ACK_DUPLICATE, nowMillis, effects);
    } else {
      effects.add(new Dropped<>(frame, Dropped.Reason.GAP));
      reAck(Transmit.Reason.ACK_GAP, nowMillis, effects);
    }
  }

  /**
   * Answers an unwanted frame with an ack at once, but at most once per {@code ackDelayMillis}:
   * a go-back-N burst of duplicates is answered by one ack, not one per frame. A suppressed re-ack
   * is still sent, by the ack timer.
   */
  private void reAck(Transmit.Reason reason, long nowMillis, List<LinkEffect<P>> effects) {
    if (lastReAckMillis == NEVER || nowMillis - lastReAckMillis >= options.ackDelayMillis()) {
      lastReAckMillis = nowMillis;
      transmitAck(reason, effects);
    } else {
      ackDueMillis = Math.min(ackDueMillis, lastReAckMillis + options.ackDelayMillis());
    }
  }

  private void flushDueAck(long nowMillis, List<LinkEffect<P>> effects) {
    if (ackDueMillis <= nowMillis) {
      transmitAck(Transmit.Reason.ACK_DELAYED, effects);
    }
  }

  private void transmitAck(Transmit.Reason reason, List<LinkEffect<P>> effects) {
    Frame<P> frame = Frame.ackOnly(localIncarnation, peerIncarnation, receivedSeq);
    ackTransmitted();
    effects.add(new Transmit<>(frame, reason));
  }

  /** Any frame we transmit carries the cumulative ack, so nothing is owed any more. */
  private void ackTransmitted() {
    ackTransmittedSeq = receivedSeq;
    ackDueMillis = NONE;
  }

  // ---- incarnations -----------------------------------------------------------------------

  /** The peer restarted: both halves start again at seq 1 for the new incarnation pair. */
  private void adoptPeerIncarnation(
      long newPeerIncarnation, PeerRestarted.Reason reason, List<LinkEffect<P>> effects) {
    long old = peerIncarnation;
    List<P> unacknowledged = window.reset();
    peerIncarnation = newPeerIncarnation;
    retransmitDueMillis = NONE;
    backoffMillis = options.retransmitMillis();
    windowFullSinceMillis = NONE;
    unackedReported = false;
    windowFullReported = false;
    receivedSeq = 0;
    ackTransmittedSeq = 0;
    ackDueMillis = NONE;
    lastReAckMillis = NEVER;
    effects.add(new PeerRestarted<>(old, newPeerIncarnation, unacknowledged, reason));
  }

  // ---- observation ------------------------------------------------------------------------

  public long localIncarnation() {
    return localIncarnation;
  }

  public long peerIncarnation() {
    return peerIncarnation;
  }

  /** Frames sent and not yet acknowledged. */
  public int unackedFrames() {
    return window.size();
  }

  /** The seq the next {@link #send} gets. */
  public long nextSendSeq() {
    return window.nextSeq();
  }

  /** The highest seq the peer acknowledged. */
  public long ackedSeq() {
    return window.ackedSeq();
  }

  /** The highest seq received (and delivered) in order: our cumulative ack. */
  public long receivedSeq() {
    return receivedSeq;
  }

  /** The current retransmission timeout (doubles while retransmissions bring no ack). */
  public long retransmitBackoffMillis() {
    return backoffMillis;
  }

  /** Whether the link holds nothing unacked and owes no ack: safe to forget it. */
  public boolean isQuiescent() {
    return window.isEmpty() && ackDueMillis == NONE;
  }

  /** Throws IllegalStateException when a rule of the link's state is broken; cheap when none is. */
  public void checkInvariants() {
    window.checkInvariants();
    if (localIncarnation <= 0 || peerIncarnation <= 0) {
      throw violation("incarnations > 0");
    }
    if ((retransmitDueMillis == NONE) != window.isEmpty()) {
      throw violation("retransmission timer armed iff frames are unacked: unacked=" + window.size());
    }
    if (backoffMillis < options.retransmitMillis() || backoffMillis > options.retransmitMillisMax()) {
      throw violation("backoff within [retransmitMillis, retransmitMillisMax]: " + backoffMillis);
    }
    if (ackTransmittedSeq < 0 || ackTransmittedSeq > receivedSeq) {
      throw violation("0 <= ack transmitted <= received: " + ackTransmittedSeq + " / " + receivedSeq);
    }
    if (receivedSeq - ackTransmittedSeq >= options.ackEveryFrames()) {
      throw violation("fewer than ackEveryFrames frames owed an ack: " + (receivedSeq - ackTransmittedSeq));
    }
    if (receivedSeq != ackTransmittedSeq && ackDueMillis == NONE) {
      throw violation("an owed ack has its timer armed");
    }
    if (windowFullSinceMillis != NONE && !window.isFull()) {
      throw violation("window-full clock runs only while the window is full");
    }
  }

  private IllegalStateException violation(String message) {
    return new IllegalStateException("ReliableLink invariant: " + message + " in " + this);
  }

  @Override
  public String toString() {
    return "ReliableLink[local=" + localIncarnation + " peer=" + peerIncarnation
        + " next=" + window.nextSeq() + " acked=" + window.ackedSeq()
        + " received=" + receivedSeq + " ackSent=" + ackTransmittedSeq + "]";
  }
}
