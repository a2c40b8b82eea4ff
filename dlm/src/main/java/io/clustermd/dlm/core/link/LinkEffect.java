package io.clustermd.dlm.core.link;

import java.util.List;

/**
 * What a {@link ReliableLink} step asks its shell to carry out, in list order. The core never
 * sends or calls anyone: the shell turns a {@link Transmit} into an Artery {@code tell}, a
 * {@link Deliver} into a message to the local DLM, and logs every reason once.
 *
 * @param <P> the payload type
 */
public sealed interface LinkEffect<P> {

  /** Put {@code frame} on the network to the peer. */
  record Transmit<P>(Frame<P> frame, Reason reason) implements LinkEffect<P> {

    /** Why the frame goes out now. */
    public enum Reason {
      /** A payload sent for the first time (with the current cumulative ack piggybacked). */
      NEW_DATA,
      /** Go-back-N: the retransmission timer of the oldest unacked frame expired. */
      RETRANSMIT_TIMEOUT,
      /** Go-back-N: the shell reported that the connection was re-established. */
      RETRANSMIT_CONNECTION_RESET,
      /** {@code ackDelayMillis} passed with no data frame to carry the ack. */
      ACK_DELAYED,
      /** {@code ackEveryFrames} in-order frames arrived since the last ack. */
      ACK_EVERY_FRAMES,
      /** A duplicate arrived: the sender missed our ack, tell it again. */
      ACK_DUPLICATE,
      /** A frame beyond a gap arrived: tell the sender where we are. */
      ACK_GAP,
      /** A frame addressed to an older incarnation of us arrived: tell the peer who we are now. */
      ACK_INCARNATION_HANDSHAKE,
      /** The shell reported a new connection and nothing is unacked: refresh the peer's view. */
      ACK_CONNECTION_RESET
    }
  }

  /**
   * Hand {@code payload} to the local protocol layer. Exactly once per payload, in send order, and
   * only from the peer incarnation the link currently knows.
   */
  record Deliver<P>(P payload, long peerIncarnation, long seq) implements LinkEffect<P> {}

  /** A frame was not delivered (it may still have updated the ack state), and why. */
  record Dropped<P>(Frame<P> frame, Reason reason) implements LinkEffect<P> {

    /** Why a frame was dropped. */
    public enum Reason {
      /** Its seq was already delivered (a retransmission whose ack we sent was lost). */
      DUPLICATE,
      /** Its seq is beyond the next expected one: an earlier frame vanished (go-back-N). */
      GAP,
      /** It comes from an incarnation of the peer older than the one we know: that one is dead. */
      STALE_PEER_INCARNATION,
      /** It is addressed to an older incarnation of us: whatever it says is void. */
      ADDRESSED_TO_OLD_INCARNATION,
      /** It is addressed to an incarnation of us newer than ours: a protocol violation. */
      ADDRESSED_TO_UNKNOWN_INCARNATION,
      /** It acknowledges a seq we never sent to this incarnation: a protocol violation. */
      ACK_BEYOND_SENT
    }
  }

  /**
   * The peer restarted: everything of its old incarnation is void, send and receive state start
   * again at seq 1. The layer above treats {@code oldIncarnation} as departed.
   *
   * @param unacknowledged payloads sent to the old incarnation that it never acknowledged (it may
   *     or may not have delivered them before it died), in send order
   */
  record PeerRestarted<P>(
      long oldIncarnation, long newIncarnation, List<P> unacknowledged, Reason reason)
      implements LinkEffect<P> {

    public PeerRestarted {
      unacknowledged = List.copyOf(unacknowledged);
    }

    /** How the link learned of the restart. */
    public enum Reason {
      /** A frame arrived from a newer incarnation of the peer. */
      FRAME_FROM_NEW_INCARNATION,
      /** The shell reported a newer incarnation (cluster membership). */
      MEMBERSHIP_HINT
    }
  }

  /**
   * A bounded wait expired (CONVENTIONS.md §6). Reported once per episode; the link keeps
   * retransmitting, and the layer above decides (fail callers, ask for the peer to be downed).
   */
  record PeerUnresponsive<P>(Reason reason, long waitedMillis, int unackedFrames)
      implements LinkEffect<P> {

    /** Which bound expired. */
    public enum Reason {
      /** The oldest unacked frame waited {@code unackedMillisMax}. */
      UNACKED_TOO_LONG,
      /** Sends have been refused for a full window for {@code windowFullMillisMax}. */
      WINDOW_FULL_TOO_LONG
    }
  }

  /** {@code send} was refused; nothing was queued and the caller still owns {@code payload}. */
  record SendRefused<P>(P payload, Reason reason, int unackedFrames) implements LinkEffect<P> {

    /** Why a send was refused. */
    public enum Reason {
      /** {@code sendWindowFramesMax} frames are unacknowledged (backpressure). */
      WINDOW_FULL
    }
  }
}
