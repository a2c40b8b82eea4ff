package io.clustermd.dlm.core.link;

/**
 * Timings and limits of one {@link ReliableLink}. Every wait and every queue is bounded and named
 * after its unit (CONVENTIONS.md §6).
 *
 * <p>The defaults come from the Artery measurements in {@code reference/akka.md} §0: a round trip
 * over Artery TCP on loopback is p99 0.5–2.8 ms and p99.9 ~4–5.5 ms, a dropped association is
 * re-established by Artery's outbound stream restart (about a second), and a crashed member is
 * removed by the split brain resolver 6.2–8.7 s after the crash with the "tuned" profile.
 *
 * @param ackDelayMillis how long a received in-order frame may wait for an outgoing data frame to
 *     carry its acknowledgement before a standalone ack is sent. Default 5 ms: a DLM request is
 *     usually answered well within that (p99 round trip &lt; 3 ms), so most acks ride on replies,
 *     while the sender's buffer is freed long before {@link #retransmitMillis}. Also the minimum
 *     spacing of re-acks provoked by duplicates and gaps, so a go-back-N burst of 4096 duplicates
 *     costs a handful of acks, not 4096. Zero means "ack every in-order frame at once".
 * @param ackEveryFrames in-order frames received since the last acknowledgement that force a
 *     standalone ack at once. Default 32: under a stream of one-way traffic (blocking callbacks to
 *     many holders) the sender's buffer stays below 32 frames plus one round trip.
 * @param retransmitMillis the first retransmission timeout, restarted whenever an ack makes
 *     progress. Default 200 ms: forty times the p99.9 round trip, so a loaded 2-core machine rarely
 *     retransmits spuriously (a spurious retransmission is harmless: the receiver drops duplicates).
 * @param retransmitMillisMax the cap of the exponential backoff (the timeout doubles after each
 *     retransmission that brought no ack). Default 1600 ms (200 ms doubled three times): about
 *     Artery's outbound restart backoff, so an outage does not fill the wire with copies that
 *     cannot arrive, while a healed connection is used within 1.6 s.
 * @param unackedMillisMax how long the oldest unacknowledged frame may wait for its ack before
 *     {@link LinkEffect.PeerUnresponsive} is surfaced. Default 15 s: longer than a crash takes to
 *     be removed from the cluster with the tuned profile (≤ 8.7 s), so a crashed peer is normally
 *     handled by membership and recovery first, and this only fires for a peer that stays a member
 *     and still does not acknowledge.
 * @param sendWindowFramesMax unacknowledged frames kept for retransmission; a send beyond it is
 *     refused with {@link LinkEffect.SendRefused}. Default 4096.
 * @param windowFullMillisMax how long sends may keep being refused because the window is full
 *     before {@link LinkEffect.PeerUnresponsive} is surfaced. Default 10 s.
 */
public record LinkOptions(
    long ackDelayMillis,
    int ackEveryFrames,
    long retransmitMillis,
    long retransmitMillisMax,
    long unackedMillisMax,
    int sendWindowFramesMax,
    long windowFullMillisMax) {

  /** The defaults documented on each component. */
  public static final LinkOptions DEFAULTS =
      new LinkOptions(5, 32, 200, 1_600, 15_000, 4_096, 10_000);

  public LinkOptions {
    require(ackDelayMillis >= 0, "ackDelayMillis must be >= 0: " + ackDelayMillis);
    require(ackEveryFrames >= 1, "ackEveryFrames must be >= 1: " + ackEveryFrames);
    require(retransmitMillis >= 1, "retransmitMillis must be >= 1: " + retransmitMillis);
    require(
        retransmitMillisMax >= retransmitMillis,
        "retransmitMillisMax must be >= retransmitMillis: " + retransmitMillisMax);
    require(unackedMillisMax >= 1, "unackedMillisMax must be >= 1: " + unackedMillisMax);
    require(sendWindowFramesMax >= 1, "sendWindowFramesMax must be >= 1: " + sendWindowFramesMax);
    require(windowFullMillisMax >= 1, "windowFullMillisMax must be >= 1: " + windowFullMillisMax);
  }

  public LinkOptions withAckDelayMillis(long value) {
    return new LinkOptions(value, ackEveryFrames, retransmitMillis, retransmitMillisMax,
        unackedMillisMax, sendWindowFramesMax, windowFullMillisMax);
  }

  public LinkOptions withAckEveryFrames(int value) {
    return new LinkOptions(ackDelayMillis, value, retransmitMillis, retransmitMillisMax,
        unackedMillisMax, sendWindowFramesMax, windowFullMillisMax);
  }

  public LinkOptions withRetransmitMillis(long first, long max) {
    return new LinkOptions(ackDelayMillis, ackEveryFrames, first, max,
        unackedMillisMax, sendWindowFramesMax, windowFullMillisMax);
  }

  public LinkOptions withUnackedMillisMax(long value) {
    return new LinkOptions(ackDelayMillis, ackEveryFrames, retransmitMillis, retransmitMillisMax,
        value, sendWindowFramesMax, windowFullMillisMax);
  }

  public LinkOptions withSendWindowFramesMax(int value) {
    return new LinkOptions(ackDelayMillis, ackEveryFrames, retransmitMillis, retransmitMillisMax,
        unackedMillisMax, value, windowFullMillisMax);
  }

  public LinkOptions withWindowFullMillisMax(long value) {
    return new LinkOptions(ackDelayMillis, ackEveryFrames, retransmitMillis, retransmitMillisMax,
        unackedMillisMax, sendWindowFramesMax, value);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
