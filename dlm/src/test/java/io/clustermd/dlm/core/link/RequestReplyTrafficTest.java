package io.clustermd.dlm.core.link;

import static io.clustermd.dlm.core.link.LinkEffect.Transmit.Reason.ACK_DELAYED;
import static io.clustermd.dlm.core.link.LinkEffect.Transmit.Reason.NEW_DATA;
import static io.clustermd.dlm.core.link.LinkEffect.Transmit.Reason.RETRANSMIT_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.dlm.core.link.LinkEffect.Deliver;
import io.clustermd.dlm.core.link.LinkEffect.Transmit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DisplayName;

/**
 * The traffic of the remote-master case (issue 3 case b, bench/RESULTS.md "Remote master latency"):
 * a holder sends a request, the master answers it at once, the holder waits {@code thinkMillis}
 * and sends the next one. Each link is ticked every {@link #TICK_MILLIS} when its deadline is due,
 * as {@code ClusterLockspace.onTick} does. The table fixes how many frames cross the wire per
 * exchange, so an ack flood or a retransmission storm shows up here before it shows up as latency.
 */
class RequestReplyTrafficTest {

  private static final long HOLDER = 11;
  private static final long MASTER = 22;
  /** {@code clustermd.dlm.tick-interval}. */
  private static final long TICK_MILLIS = 10;
  private static final int EXCHANGES = 1_000;

  static Stream<Arguments> trafficTable() {
    long delay = LinkOptions.DEFAULTS.ackDelayMillis();
    long rto = LinkOptions.DEFAULTS.retransmitMillis();
    return Stream.of(
        //            one-way ms  think ms   data   standalone acks   retransmissions
        // Back to back: every ack rides on the next data frame; one ack ends the run.
        Arguments.of(0L, 0L, 2 * EXCHANGES, 1, 0),
        Arguments.of(1L, 0L, 2 * EXCHANGES, 1, 0),
        // A round trip longer than ackDelayMillis changes nothing: the master answers at once.
        Arguments.of(delay + 3, 0L, 2 * EXCHANGES, 1, 0),
        // A client pausing well past ackDelayMillis plus a tick between operations: one ack per
        // reply (ticks quantise the ack timer, so a shorter pause is sometimes covered by data).
        Arguments.of(1L, 3 * TICK_MILLIS, 2 * EXCHANGES, EXCHANGES, 0),
        // Only a round trip beyond retransmitMillis (a starved machine) retransmits: the request
        // and the reply once each per exchange, and each duplicate provokes one re-ack.
        Arguments.of(rto / 2 + 10, 0L, 2 * EXCHANGES, 2 * EXCHANGES + 1, 2 * EXCHANGES));
  }

  @ParameterizedTest(name = "one-way {0} ms, think {1} ms: {2} data frames, {3} acks, {4} retransmissions")
  @MethodSource("trafficTable")
  @DisplayName("request/reply on an otherwise idle link: one data frame per message, acks piggybacked, ticks send nothing")
  void framesPerExchange(long oneWayMillis, long thinkMillis, int data, int acks, int retransmissions) {
    Traffic t = new Traffic(oneWayMillis, thinkMillis);
    t.run(EXCHANGES);
    assertEquals(EXCHANGES, t.replies, "every request answered once");
    assertEquals(data, t.count(NEW_DATA), "data frames");
    assertEquals(acks, t.standaloneAcks(), "standalone acks " + t.byReason);
    assertEquals(retransmissions, t.count(RETRANSMIT_TIMEOUT), "retransmissions " + t.byReason);
    assertTrue(t.holder.isQuiescent() && t.master.isQuiescent(), "nothing owed at the end");
  }

  /** Two links, a wire with a fixed one-way delay, a tick every TICK_MILLIS. */
  private static final class Traffic {
    final ReliableLink<String> holder = new ReliableLink<>(HOLDER, MASTER, LinkOptions.DEFAULTS);
    final ReliableLink<String> master = new ReliableLink<>(MASTER, HOLDER, LinkOptions.DEFAULTS);
    final Map<Transmit.Reason, Integer> byReason = new EnumMap<>(Transmit.Reason.class);
    final PriorityQueue<InFlight> wire = new PriorityQueue<>();
    final long oneWayMillis;
    final long thinkMillis;
    long order;
    int replies;
    long nextRequestAt;

    record InFlight(long at, long order, boolean toMaster, Frame<String> frame) implements Comparable<InFlight> {
      @Override
      public int compareTo(InFlight o) {
        return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
      }
    }

    Traffic(long oneWayMillis, long thinkMillis) {
      this.oneWayMillis = oneWayMillis;
      this.thinkMillis = thinkMillis;
    }

    void run(int exchanges) {
      int sent = 0;
      nextRequestAt = 0;
      long end = Long.MAX_VALUE;
      for (long now = 0; now <= end; now++) {
        if (sent < exchanges && nextRequestAt <= now && replies == sent) {
          carry(holder.send("request-" + sent, now), true, now);
          sent++;
        }
        while (!wire.isEmpty() && wire.peek().at() <= now) {
          InFlight f = wire.poll();
          ReliableLink<String> to = f.toMaster() ? master : holder;
          carry(to.receive(f.frame(), now), !f.toMaster(), now);
        }
        if (now % TICK_MILLIS == 0) {
          tick(holder, true, now);
          tick(master, false, now);
        }
        if (replies == exchanges && end == Long.MAX_VALUE) {
          end = now + 10 * LinkOptions.DEFAULTS.retransmitMillisMax(); // let every timer run out
        }
      }
    }

    private void tick(ReliableLink<String> link, boolean toMaster, long now) {
      if (now >= link.nextDeadlineMillis()) {
        carry(link.tick(now), toMaster, now);
      }
    }

    /** Executes a link's effects: transmits go on the wire; a delivery at the master is answered. */
    private void carry(List<LinkEffect<String>> effects, boolean toMaster, long now) {
      holder.checkInvariants();
      master.checkInvariants();
      List<String> answers = new ArrayList<>();
      for (LinkEffect<String> e : effects) {
        if (e instanceof Transmit<String> tx) {
          byReason.merge(tx.reason(), 1, Integer::sum);
          wire.add(new InFlight(now + oneWayMillis, order++, toMaster, tx.frame()));
        } else if (e instanceof Deliver<String> d) {
          if (toMaster) {
            replies++;
            nextRequestAt = now + thinkMillis;
          } else {
            answers.add("reply-to-" + d.payload());
          }
        }
      }
      for (String answer : answers) {
        carry(master.send(answer, now), false, now);
      }
    }

    int count(Transmit.Reason reason) {
      return byReason.getOrDefault(reason, 0);
    }

    int standaloneAcks() {
      int acks = 0;
      for (Map.Entry<Transmit.Reason, Integer> e : byReason.entrySet()) {
        if (e.getKey().name().startsWith("ACK_")) {
          acks += e.getValue();
        }
      }
      return acks;
    }
  }
}
