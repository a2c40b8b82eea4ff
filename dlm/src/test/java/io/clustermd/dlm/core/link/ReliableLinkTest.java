package io.clustermd.dlm.core.link;

import static io.clustermd.dlm.core.link.LinkEffect.Dropped.Reason.*;
import static io.clustermd.dlm.core.link.LinkEffect.Transmit.Reason.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.link.LinkEffect.Dropped;
import io.clustermd.dlm.core.link.LinkEffect.PeerRestarted;
import io.clustermd.dlm.core.link.LinkEffect.PeerUnresponsive;
import io.clustermd.dlm.core.link.LinkEffect.SendRefused;
import io.clustermd.dlm.core.link.LinkEffect.Transmit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules of {@link ReliableLink}, one at a time, on hand-made frames. */
class ReliableLinkTest {

  private static final long US = 5;
  private static final long PEER = 7;
  private static final LinkOptions OPTIONS = LinkOptions.DEFAULTS;

  private static LinkDriver link() {
    return new LinkDriver(US, PEER, OPTIONS);
  }

  // ---- receiving ------------------------------------------------------------------------------

  @Test
  @DisplayName("in-order data frames are delivered once each, in seq order, tagged with the peer incarnation")
  void inOrderDelivery() {
    LinkDriver d = link();
    List<String> delivered = new ArrayList<>();
    for (long seq = 1; seq <= 3; seq++) {
      d.receiveData(seq, 0, 0);
      delivered.addAll(d.delivered());
      assertEquals(PEER, d.delivers().get(0).peerIncarnation());
    }
    assertEquals(List.of("p1", "p2", "p3"), delivered);
    assertEquals(3, d.link.receivedSeq());
  }

  /** After seq 1 and 2 were delivered at t=0, a frame with {@code seq} arrives at t=100. */
  static Stream<Arguments> receiveTable() {
    return Stream.of(
        //            seq  delivered     dropped        ack sent at once (reason, value)
        Arguments.of(3L, List.of("p3"), List.of(), List.of()),
        Arguments.of(1L, List.of(), List.of(DUPLICATE), List.of(ACK_DUPLICATE)),
        Arguments.of(2L, List.of(), List.of(DUPLICATE), List.of(ACK_DUPLICATE)),
        Arguments.of(4L, List.of(), List.of(GAP), List.of(ACK_GAP)),
        Arguments.of(9L, List.of(), List.of(GAP), List.of(ACK_GAP)));
  }

  @ParameterizedTest(name = "seq {0}: delivered {1}, dropped {2}, acks {3}")
  @MethodSource("receiveTable")
  @DisplayName("next seq is delivered; duplicates and frames beyond a gap are dropped and re-acked with ack=2")
  void receiveRules(
      long seq, List<String> delivered, List<Dropped.Reason> dropped, List<Transmit.Reason> acks) {
    LinkDriver d = link();
    d.receiveData(1, 0, 0).receiveData(2, 0, 0).tick(OPTIONS.ackDelayMillis());
    d.receiveData(seq, 0, 100);
    assertEquals(delivered, d.delivered());
    assertEquals(dropped, d.dropReasons());
    assertEquals(acks, d.transmitReasons());
    d.frames().forEach(f -> assertEquals(2, f.ack(), "re-ack carries the cumulative ack"));
    assertEquals(delivered.isEmpty() ? 2 : 3, d.link.receivedSeq());
  }

  @Test
  @DisplayName("a burst of duplicates (go-back-N) is answered by one ack per ackDelayMillis, the rest by the ack timer")
  void reAckRateLimited() {
    LinkDriver d = link();
    d.receiveData(1, 0, 0).receiveData(2, 0, 0).tick(5);
    d.receiveData(1, 0, 100);
    assertEquals(List.of(ACK_DUPLICATE), d.transmitReasons());
    d.receiveData(2, 0, 101);
    assertEquals(List.of(), d.transmitReasons(), "suppressed within ackDelayMillis");
    assertEquals(105, d.link.nextDeadlineMillis(), "but the ack timer is armed");
    d.tick(105);
    assertEquals(List.of(ACK_DELAYED), d.transmitReasons());
  }

  // ---- acknowledgements we send ------------------------------------------------------------------

  @Test
  @DisplayName("an in-order frame is acked alone after ackDelayMillis when no data frame carried the ack")
  void delayedStandaloneAck() {
    LinkDriver d = link();
    d.receiveData(1, 0, 1000);
    assertEquals(List.of(), d.transmitReasons(), "no ack at once");
    assertEquals(1000 + OPTIONS.ackDelayMillis(), d.link.nextDeadlineMillis());
    d.tick(1000 + OPTIONS.ackDelayMillis() - 1);
    assertEquals(List.of(), d.transmitReasons());
    d.tick(1000 + OPTIONS.ackDelayMillis());
    assertEquals(List.of(ACK_DELAYED), d.transmitReasons());
    Frame<String> ack = d.frames().get(0);
    assertEquals(List.of(US, PEER, 0L, 1L), List.of(ack.senderIncarnation(), ack.receiverIncarnation(), ack.seq(), ack.ack()));
    assertTrue(d.link.isQuiescent());
  }

  @Test
  @DisplayName("a data frame piggybacks the ack, so no standalone ack follows")
  void piggybackedAck() {
    LinkDriver d = link();
    d.receiveData(1, 0, 0).receiveData(2, 0, 1);
    d.send("reply", 2);
    assertEquals(List.of(NEW_DATA), d.transmitReasons());
    assertEquals(2, d.frames().get(0).ack());
    d.tick(OPTIONS.ackDelayMillis() + 10);
    assertEquals(List.of(), d.transmitReasons());
  }

  @Test
  @DisplayName("ackEveryFrames in-order frames force a standalone ack at once")
  void ackEveryFrames() {
    LinkDriver d = new LinkDriver(US, PEER, OPTIONS.withAckEveryFrames(4));
    for (long seq = 1; seq <= 3; seq++) {
      assertEquals(List.of(), d.receiveData(seq, 0, 0).transmitReasons());
    }
    d.receiveData(4, 0, 0);
    assertEquals(List.of(ACK_EVERY_FRAMES), d.transmitReasons());
    assertEquals(4, d.frames().get(0).ack());
  }

  @Test
  @DisplayName("ackDelayMillis=0 acks every in-order frame at once")
  void zeroAckDelay() {
    LinkDriver d = new LinkDriver(US, PEER, OPTIONS.withAckDelayMillis(0));
    d.receiveData(1, 0, 0);
    assertEquals(List.of(ACK_DELAYED), d.transmitReasons());
  }

  // ---- acknowledgements we receive ----------------------------------------------------------------

  @Test
  @DisplayName("a cumulative ack frees every frame up to it; an old ack frees nothing")
  void cumulativeAckFreesBuffer() {
    LinkDriver d = link();
    for (int i = 1; i <= 5; i++) {
      d.send("m" + i, 0);
      assertEquals(List.of((long) i), d.transmittedSeqs());
    }
    assertEquals(5, d.link.unackedFrames());
    d.receiveAck(3, 10);
    assertEquals(List.of(2, 3L), List.of(d.link.unackedFrames(), d.link.ackedSeq()));
    d.receiveAck(2, 11);
    assertEquals(2, d.link.unackedFrames(), "an old ack changes nothing");
    d.receiveData(1, 5, 12);
    assertEquals(0, d.link.unackedFrames(), "a piggybacked ack frees too");
    d.tick(12 + OPTIONS.ackDelayMillis());
    assertTrue(d.link.isQuiescent());
    assertEquals(Long.MAX_VALUE, d.link.nextDeadlineMillis(), "no timer left");
  }

  @Test
  @DisplayName("an ack beyond anything sent is a protocol violation: the whole frame is dropped")
  void ackBeyondSent() {
    LinkDriver d = link();
    d.send("m1", 0);
    d.receiveData(1, 2, 1);
    assertEquals(List.of(ACK_BEYOND_SENT), d.dropReasons());
    assertEquals(List.of(), d.delivered());
    assertEquals(1, d.link.unackedFrames());
  }

  // ---- retransmission ----------------------------------------------------------------------------

  @Test
  @DisplayName("unacked frames are all retransmitted after retransmitMillis, backing off 200, 400, 800, 1600, 1600 ms")
  void retransmitWithBackoff() {
    LinkDriver d = link();
    d.send("m1", 0).send("m2", 0).send("m3", 0);
    long[] fireAt = {200, 600, 1400, 3000, 4600};
    long previous = 0;
    for (long at : fireAt) {
      assertEquals(at, d.link.nextDeadlineMillis());
      assertEquals(List.of(), d.tick(at - 1).transmitReasons(), "nothing before " + at);
      d.tick(at);
      assertEquals(List.of(1L, 2L, 3L), d.transmittedSeqs(), "go-back-N at " + at);
      assertEquals(List.of(RETRANSMIT_TIMEOUT, RETRANSMIT_TIMEOUT, RETRANSMIT_TIMEOUT), d.transmitReasons());
      assertTrue(at - previous <= OPTIONS.retransmitMillisMax());
      previous = at;
    }
    d.receiveAck(1, 4700);
    assertEquals(OPTIONS.retransmitMillis(), d.link.retransmitBackoffMillis(), "progress resets the backoff");
    assertEquals(4700 + OPTIONS.retransmitMillis(), d.link.nextDeadlineMillis());
    assertEquals(List.of(2L, 3L), d.tick(4900).transmittedSeqs());
  }

  @Test
  @DisplayName("a reported connection reset retransmits at once, or re-sends our ack when nothing is unacked")
  void connectionReset() {
    LinkDriver d = link();
    d.send("m1", 0).send("m2", 0);
    d.connectionReset(50);
    assertEquals(List.of(1L, 2L), d.transmittedSeqs());
    assertEquals(List.of(RETRANSMIT_CONNECTION_RESET, RETRANSMIT_CONNECTION_RESET), d.transmitReasons());
    assertEquals(250, d.link.nextDeadlineMillis());

    LinkDriver r = link();
    assertEquals(List.of(), r.connectionReset(0).transmitReasons(), "nothing to say");
    r.receiveData(1, 0, 0).tick(OPTIONS.ackDelayMillis());
    r.connectionReset(100);
    assertEquals(List.of(ACK_CONNECTION_RESET), r.transmitReasons());
    assertEquals(1, r.frames().get(0).ack());
  }

  // ---- bounds ------------------------------------------------------------------------------------

  @Test
  @DisplayName("a send beyond sendWindowFramesMax is refused with the payload handed back, until an ack frees room")
  void windowFullRefusal() {
    LinkDriver d = new LinkDriver(US, PEER, OPTIONS.withSendWindowFramesMax(3));
    d.send("m1", 0).send("m2", 0).send("m3", 0);
    d.send("m4", 1);
    assertEquals(List.of(), d.transmitReasons());
    SendRefused<String> refused = d.refusals().get(0);
    assertEquals(List.of("m4", SendRefused.Reason.WINDOW_FULL, 3), List.of(refused.payload(), refused.reason(), refused.unackedFrames()));
    assertEquals(3, d.link.unackedFrames());
    d.receiveAck(1, 2);
    d.send("m4", 3);
    assertEquals(List.of(4L), d.transmittedSeqs());
  }

  @Test
  @DisplayName("unacked data older than unackedMillisMax surfaces PeerUnresponsive once, re-armed by progress")
  void unresponsiveAfterUnackedBound() {
    long max = OPTIONS.unackedMillisMax();
    LinkDriver d = link();
    d.send("m1", 0).send("m2", 100);
    for (long t = 200; t < max; t += 200) {
      assertEquals(List.of(), d.tick(t).unresponsive(), "nothing at " + t);
    }
    d.tick(max);
    List<PeerUnresponsive<String>> reports = d.unresponsive();
    assertEquals(1, reports.size());
    assertEquals(PeerUnresponsive.Reason.UNACKED_TOO_LONG, reports.get(0).reason());
    assertEquals(max, reports.get(0).waitedMillis());
    assertEquals(List.of(), d.tick(max + 5_000).unresponsive(), "reported once per episode");
    assertTrue(d.transmitReasons().contains(RETRANSMIT_TIMEOUT), "still retransmitting");
    d.receiveAck(1, max + 5_001);
    assertEquals(100 + max, d.link.nextDeadlineMillis(), "re-armed for m2, sent at 100");
    assertEquals(1, d.tick(max + 5_002).unresponsive().size(), "m2 is older than the bound too");
  }

  @Test
  @DisplayName("sends refused for windowFullMillisMax surface PeerUnresponsive(WINDOW_FULL_TOO_LONG)")
  void unresponsiveAfterWindowFullBound() {
    LinkOptions options = OPTIONS.withSendWindowFramesMax(1).withUnackedMillisMax(1_000_000);
    LinkDriver d = new LinkDriver(US, PEER, options);
    d.send("m1", 0);
    d.receiveAck(0, 1);
    d.send("m2", 1_000);
    long bound = 1_000 + options.windowFullMillisMax();
    assertEquals(List.of(), d.tick(bound - 1).unresponsive());
    d.tick(bound);
    assertEquals(
        List.of(PeerUnresponsive.Reason.WINDOW_FULL_TOO_LONG),
        d.unresponsive().stream().map(PeerUnresponsive::reason).toList());
  }

  // ---- incarnations ------------------------------------------------------------------------------

  /**
   * The link (us=5, peer=7) sent m1 (unacked) and delivered p1 at t=0; then a frame arrives from
   * {@code sender} addressed to {@code receiver}, carrying seq 1 (or 2 from the known peer).
   */
  static Stream<Arguments> incarnationTable() {
    return Stream.of(
        //          sender receiver  seq  restarted  delivered       dropped                              transmits
        Arguments.of(7L, 5L, 2L, false, List.of("p2"), List.of(), List.of()),
        Arguments.of(6L, 5L, 1L, false, List.of(), List.of(STALE_PEER_INCARNATION), List.of()),
        Arguments.of(7L, 4L, 2L, false, List.of(), List.of(ADDRESSED_TO_OLD_INCARNATION), List.of(ACK_INCARNATION_HANDSHAKE)),
        Arguments.of(7L, 6L, 2L, false, List.of(), List.of(ADDRESSED_TO_UNKNOWN_INCARNATION), List.of()),
        Arguments.of(8L, 5L, 1L, true, List.of("p1"), List.of(), List.of()),
        Arguments.of(8L, 5L, 2L, true, List.of(), List.of(GAP), List.of(ACK_GAP)),
        Arguments.of(8L, 4L, 1L, true, List.of(), List.of(ADDRESSED_TO_OLD_INCARNATION), List.of(ACK_INCARNATION_HANDSHAKE)),
        Arguments.of(8L, 6L, 1L, false, List.of(), List.of(ADDRESSED_TO_UNKNOWN_INCARNATION), List.of()));
  }

  @ParameterizedTest(name = "from {0} to {1} seq {2}: restarted={3} delivered={4} dropped={5} transmits={6}")
  @MethodSource("incarnationTable")
  @DisplayName("frames are judged by (sender, receiver) incarnation before their seq")
  void incarnationRules(
      long sender,
      long receiver,
      long seq,
      boolean restarted,
      List<String> delivered,
      List<Dropped.Reason> dropped,
      List<Transmit.Reason> transmits) {
    LinkDriver d = link();
    d.send("m1", 0).receiveData(1, 0, 0).tick(OPTIONS.ackDelayMillis());
    d.receive(Frame.data(sender, receiver, seq, 0, "p" + seq), 10);
    List<PeerRestarted<String>> restarts = d.restarts();
    assertEquals(restarted, !restarts.isEmpty());
    if (restarted) {
      PeerRestarted<?> r = restarts.get(0);
      assertEquals(List.of(7L, 8L, List.of("m1"), PeerRestarted.Reason.FRAME_FROM_NEW_INCARNATION),
          List.of(r.oldIncarnation(), r.newIncarnation(), r.unacknowledged(), r.reason()));
      assertEquals(List.of(0, 1L), List.of(d.link.unackedFrames(), d.link.nextSendSeq()), "send state restarts at seq 1");
    }
    assertEquals(delivered, d.delivered());
    assertEquals(dropped, d.dropReasons());
    assertEquals(transmits, d.transmitReasons());
    for (Frame<String> f : d.frames()) {
      assertEquals(List.of(US, d.link.peerIncarnation()), List.of(f.senderIncarnation(), f.receiverIncarnation()),
          "answers go to the newest known peer incarnation");
    }
  }

  @Test
  @DisplayName("a membership hint of a newer peer incarnation voids both halves; a stale hint is ignored")
  void peerRestartHint() {
    LinkDriver d = link();
    d.send("m1", 0).send("m2", 0).receiveData(1, 0, 0).receiveData(2, 0, 0);
    d.peerRestarted(8, 1);
    PeerRestarted<?> r = d.restarts().get(0);
    assertEquals(List.of(7L, 8L, List.of("m1", "m2"), PeerRestarted.Reason.MEMBERSHIP_HINT),
        List.of(r.oldIncarnation(), r.newIncarnation(), r.unacknowledged(), r.reason()));
    assertEquals(List.of(0L, 1L, 0), List.of(d.link.receivedSeq(), d.link.nextSendSeq(), d.link.unackedFrames()));
    assertTrue(d.link.isQuiescent(), "nothing is owed to a dead incarnation");
    assertEquals(List.of(), d.peerRestarted(8, 2).last, "same incarnation again: ignored");
    assertEquals(List.of(), d.peerRestarted(7, 2).last, "older incarnation: ignored");
    d.send("n1", 3);
    Frame<String> f = d.frames().get(0);
    assertEquals(List.of(8L, 1L, 0L), List.of(f.receiverIncarnation(), f.seq(), f.ack()));
    d.receive(Frame.data(7, US, 3, 0, "late"), 4);
    assertEquals(List.of(STALE_PEER_INCARNATION), d.dropReasons(), "the dead incarnation's frames are dropped");
  }

  @Test
  @DisplayName("two links: after we restart, the peer's frames to our old incarnation teach it the new one")
  void restartHandshakeBetweenTwoLinks() {
    ReliableLink<String> peer = new ReliableLink<>(PEER, US, OPTIONS);
    peer.send("to-old-us", 0);
    // We restart as incarnation 6 before receiving it; the peer retransmits to 5.
    LinkDriver us = new LinkDriver(6, PEER, OPTIONS);
    List<LinkEffect<String>> retransmit = peer.tick(OPTIONS.retransmitMillis());
    Frame<String> stale = ((Transmit<String>) retransmit.get(0)).frame();
    us.receive(stale, 200);
    assertEquals(List.of(ADDRESSED_TO_OLD_INCARNATION), us.dropReasons());
    assertEquals(List.of(ACK_INCARNATION_HANDSHAKE), us.transmitReasons());
    List<LinkEffect<String>> learned = peer.receive(us.frames().get(0), 201);
    peer.checkInvariants();
    PeerRestarted<?> r = (PeerRestarted<?>) learned.get(0);
    assertEquals(List.of(5L, 6L, List.of("to-old-us")), List.of(r.oldIncarnation(), r.newIncarnation(), r.unacknowledged()));
    assertTrue(peer.isQuiescent());
  }

  // ---- validation --------------------------------------------------------------------------------

  @Test
  @DisplayName("frames, options and links reject impossible values")
  void validation() {
    assertThrows(IllegalArgumentException.class, () -> Frame.data(1, 1, 0, 0, "x"));
    assertThrows(IllegalArgumentException.class, () -> new Frame<String>(1, 1, 1, 0, null));
    assertThrows(IllegalArgumentException.class, () -> Frame.ackOnly(0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Frame.ackOnly(1, 1, -1));
    assertThrows(IllegalArgumentException.class, () -> OPTIONS.withSendWindowFramesMax(0));
    assertThrows(IllegalArgumentException.class, () -> OPTIONS.withRetransmitMillis(200, 100));
    assertThrows(IllegalArgumentException.class, () -> new ReliableLink<String>(0, 1, OPTIONS));
    assertThrows(NullPointerException.class, () -> new ReliableLink<String>(1, 2, OPTIONS).send(null, 0));
  }
}
