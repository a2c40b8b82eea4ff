package io.clustermd.sim;

import java.util.Comparator;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * The deterministic event loop's queue and virtual clock.
 *
 * <p>Events are ordered by (time, sequence): two events at the same instant run in the order they were
 * scheduled, so a run depends on nothing but the seed. There are no threads and no wall clock
 * (reference/aesthetics.md §3: TigerBeetle's VOPR, FoundationDB's single-threaded simulation).
 *
 * <p>The clock counts microseconds because Artery's latency on loopback is a fraction of a millisecond
 * (akka.md §0: round trip p50 0.15–0.31 ms); protocols see milliseconds through {@link ProcessContext#now()}.
 */
public final class SimScheduler {

    /** One queued event. */
    public record Scheduled(long atMicros, long seq, SimEvent event) {}

    private static final Comparator<Scheduled> ORDER =
            Comparator.comparingLong(Scheduled::atMicros).thenComparingLong(Scheduled::seq);

    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>(ORDER);
    private final int queuedEventsMax;
    private long nowMicros;
    private long nextSeq;

    /** @param queuedEventsMax bound on pending events; a protocol that floods the queue fails loudly */
    public SimScheduler(int queuedEventsMax) {
        if (queuedEventsMax < 1) {
            throw new IllegalArgumentException("queuedEventsMax must be positive");
        }
        this.queuedEventsMax = queuedEventsMax;
    }

    public long nowMicros() {
        return nowMicros;
    }

    public long nowMillis() {
        return nowMicros / 1000;
    }

    /** Schedules {@code event} at an absolute time, never in the past. */
    public void scheduleAt(long atMicros, SimEvent event) {
        if (atMicros < nowMicros) {
            throw new IllegalArgumentException("cannot schedule in the past: " + atMicros + " < " + nowMicros);
        }
        if (queue.size() >= queuedEventsMax) {
            throw new IllegalStateException("event queue is full (" + queuedEventsMax + " events); "
                    + "a protocol or workload is flooding the simulator; next was " + event);
        }
        queue.add(new Scheduled(atMicros, nextSeq++, event));
    }

    public void scheduleAfter(long delayMicros, SimEvent event) {
        if (delayMicros < 0) {
            throw new IllegalArgumentException("negative delay " + delayMicros);
        }
        scheduleAt(nowMicros + delayMicros, event);
    }

    /** Pops the next event due at or before {@code untilMicros} and moves the clock to it. */
    public Optional<Scheduled> next(long untilMicros) {
        Scheduled head = queue.peek();
        if (head == null || head.atMicros() > untilMicros) {
            return Optional.empty();
        }
        queue.poll();
        nowMicros = head.atMicros();
        return Optional.of(head);
    }

    /** Moves the clock forward with nothing happening (used when a run ends before its last event). */
    public void advanceTo(long micros) {
        if (micros > nowMicros) {
            Scheduled head = queue.peek();
            if (head != null && head.atMicros() < micros) {
                throw new IllegalStateException("cannot skip past a pending event at " + head.atMicros());
            }
            nowMicros = micros;
        }
    }

    public int pending() {
        return queue.size();
    }

    public void checkInvariants() {
        Scheduled head = queue.peek();
        if (head != null && head.atMicros() < nowMicros) {
            throw new IllegalStateException("event " + head + " is before the clock " + nowMicros);
        }
        if (queue.size() > queuedEventsMax) {
            throw new IllegalStateException("queue over its bound");
        }
    }
}
