package io.clustermd.dlm.core.link;

import io.clustermd.dlm.core.link.LinkEffect.Deliver;
import io.clustermd.dlm.core.link.LinkEffect.Dropped;
import io.clustermd.dlm.core.link.LinkEffect.PeerRestarted;
import io.clustermd.dlm.core.link.LinkEffect.PeerUnresponsive;
import io.clustermd.dlm.core.link.LinkEffect.SendRefused;
import io.clustermd.dlm.core.link.LinkEffect.Transmit;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives one {@link ReliableLink} in unit tests: every step checks the invariants and remembers
 * its effects, which the accessors slice by kind.
 */
final class LinkDriver {

  final ReliableLink<String> link;
  List<LinkEffect<String>> last = List.of();

  LinkDriver(long local, long peer, LinkOptions options) {
    link = new ReliableLink<>(local, peer, options);
    link.checkInvariants();
  }

  LinkDriver send(String payload, long now) {
    return record(link.send(payload, now));
  }

  LinkDriver receive(Frame<String> frame, long now) {
    return record(link.receive(frame, now));
  }

  /** A data frame from the peer's current incarnation to ours. */
  LinkDriver receiveData(long seq, long ack, long now) {
    return receive(
        Frame.data(link.peerIncarnation(), link.localIncarnation(), seq, ack, "p" + seq), now);
  }

  LinkDriver receiveAck(long ack, long now) {
    return receive(Frame.ackOnly(link.peerIncarnation(), link.localIncarnation(), ack), now);
  }

  LinkDriver tick(long now) {
    return record(link.tick(now));
  }

  LinkDriver peerRestarted(long incarnation, long now) {
    return record(link.peerRestarted(incarnation, now));
  }

  LinkDriver connectionReset(long now) {
    return record(link.connectionReset(now));
  }

  private LinkDriver record(List<LinkEffect<String>> effects) {
    link.checkInvariants();
    last = effects;
    return this;
  }

  List<Transmit<String>> transmits() {
    List<Transmit<String>> out = new ArrayList<>();
    for (LinkEffect<String> e : last) {
      if (e instanceof Transmit<String> t) {
        out.add(t);
      }
    }
    return out;
  }

  List<Deliver<String>> delivers() {
    List<Deliver<String>> out = new ArrayList<>();
    for (LinkEffect<String> e : last) {
      if (e instanceof Deliver<String> d) {
        out.add(d);
      }
    }
    return out;
  }

  List<PeerRestarted<String>> restarts() {
    List<PeerRestarted<String>> out = new ArrayList<>();
    for (LinkEffect<String> e : last) {
      if (e instanceof PeerRestarted<String> r) {
        out.add(r);
      }
    }
    return out;
  }

  List<PeerUnresponsive<String>> unresponsive() {
    List<PeerUnresponsive<String>> out = new ArrayList<>();
    for (LinkEffect<String> e : last) {
      if (e instanceof PeerUnresponsive<String> u) {
        out.add(u);
      }
    }
    return out;
  }

  List<SendRefused<String>> refusals() {
    List<SendRefused<String>> out = new ArrayList<>();
    for (LinkEffect<String> e : last) {
      if (e instanceof SendRefused<String> r) {
        out.add(r);
      }
    }
    return out;
  }

  List<String> delivered() {
    return delivers().stream().map(Deliver::payload).toList();
  }

  List<Transmit.Reason> transmitReasons() {
    return transmits().stream().map(Transmit::reason).toList();
  }

  List<Frame<String>> frames() {
    return transmits().stream().map(Transmit::frame).toList();
  }

  List<Long> transmittedSeqs() {
    return frames().stream().map(Frame::seq).toList();
  }

  List<Dropped.Reason> dropReasons() {
    List<Dropped.Reason> out = new ArrayList<>();
    for (LinkEffect<String> e : last) {
      if (e instanceof Dropped<String> d) {
        out.add(d.reason());
      }
    }
    return out;
  }
}
