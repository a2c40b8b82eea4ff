package io.clustermd.messaging.core;

import static io.clustermd.dlm.core.LockMode.CR;
import static io.clustermd.dlm.core.LockMode.NL;
import static io.clustermd.dlm.core.LockMode.PR;
import static io.clustermd.dlm.core.LockMode.PW;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.LvbFormat;
import io.clustermd.messaging.message.MalformedLvbException;
import io.clustermd.messaging.message.MessageType;
import io.clustermd.messaging.message.Receipt;
import java.util.List;

/**
 * One wake-up of the receiver: the kernel's {@code recv_daemon} (mdcluster.md §3.4), run under
 * recv_mutex after ack's blocking callback for EX.
 *
 * <pre>
 * message NL→CR        reads the LVB (compatible with the sender's CW)
 * [no-new-dev →CR]     METADATA_UPDATED re-takes it first (§3.2)
 * process              the handler, aside; bounded by processMillisMax
 * [confirm]            NEWDISK: wait for the disk's confirmation, bounded by newDiskConfirmMillisMax;
 *                      confirmed: no-new-dev →NL; refused or expired: keep CR (§5.6)
 * receipt PW→PW        publish "processed #seq" (not in the kernel: lets a sender name non-ackers)
 * ack CR→NL            acknowledged
 * message CR→PR        the barrier: granted once the sender released message (§3.5)
 * ack NL→CR
 * message →NL
 * </pre>
 *
 * A message that cannot be processed (malformed, an unknown type, this node's own, a failing or
 * slow handler) is not acknowledged, as in the kernel: ack stays CR, so the sender's bounded wait
 * ends with an error. Unlike the kernel, the receiver then waits at the PR barrier until the sender
 * has given up and converts ack CR→CR: fs/dlm suppresses a second blocking callback for EX until a
 * completion intervenes, so without it this node would never hear of a later message.
 *
 * <p>The same re-arm ends every other wake-up. One whose LVB holds a message this node has already
 * seen (stale: the callback came from a sender that died after asking for ack EX) re-arms at once,
 * and one whose message CR was not granted in time re-arms after the cancel. Otherwise ack would keep
 * the dead sender's callback as its highest, and the next sender's EX would wait for an ack that no
 * callback asks for. A second stale wake-up in a row for the same message means a live sender
 * still wants EX over a message this node will not take; re-arming at once would only wake this
 * node again, so it waits at the PR barrier first, as for a message it refuses.
 */
public final class ReceiveMachine extends Sequence {

  /** The steps, with the lock and mode each converts to (a table, CONVENTIONS.md §4). */
  public enum Step {
    MESSAGE_CR(CommLock.MESSAGE, CR, "§3.4 step 2: message NL→CR (reads the LVB)"),
    NO_NEW_DEV_CR(CommLock.NO_NEW_DEV, CR, "§3.2 METADATA_UPDATED: re-take no-new-dev CR"),
    PROCESS(null, null, "§3.4 step 3: process"),
    NEW_DISK_CONFIRM(null, null, "§5.6: wait for the new disk to be confirmed or refused"),
    NO_NEW_DEV_NL(CommLock.NO_NEW_DEV, NL, "§5.6: new disk confirmed: no-new-dev →NL"),
    RECEIPT(CommLock.RECEIPT, PW, "publish the receipt (receipt PW→PW)"),
    ACK_NL(CommLock.ACK, NL, "§3.4 step 4: ack CR→NL (acknowledged)"),
    MESSAGE_PR(CommLock.MESSAGE, PR, "§3.4 step 5: message CR→PR (barrier: the sender released message)"),
    ACK_CR(CommLock.ACK, CR, "§3.4 step 6: ack →CR"),
    MESSAGE_NL(CommLock.MESSAGE, NL, "§3.4 step 7: message →NL"),
    DONE(null, null, "done");

    final CommLock lock;
    final LockMode mode;
    final String why;

    Step(CommLock lock, LockMode mode, String why) {
      this.lock = lock;
      this.mode = mode;
      this.why = why;
    }
  }

  /** How the wake-up ended. */
  public enum Result {
    /** Processed and acknowledged. */
    PROCESSED,
    /** Read but not acknowledged (see {@link #reason()}). */
    NOT_ACKED,
    /** The LVB held a message this node had already seen: nothing to do. */
    STALE,
    /** message CR was not granted: nothing was read. */
    UNREAD
  }

  private final MdSlot self;
  private final long lastSeen;
  private final long lastStale;
  private final LvbFormat format;
  private LockMode noNewDev;
  private Step step;
  private Envelope envelope;
  private long seqSeen;
  private long staleSeq;
  private Result result;
  private String reason;

  /**
   * @param lastSeen the highest seq this node has sent or read
   * @param lastStale the seq the previous wake-up found stale, when it did; 0 otherwise
   * @param noNewDev the mode this node's {@code no-new-dev} lock holds now
   */
  public ReceiveMachine(
      MdSlot self, long lastSeen, long lastStale, LockMode noNewDev, LvbFormat format, CommOptions options) {
    super(options);
    this.self = self;
    this.lastSeen = lastSeen;
    this.lastStale = lastStale;
    this.format = format;
    this.noNewDev = noNewDev;
  }

  public List<CommEffect> start(long now) {
    return List.of(go(Step.MESSAGE_CR, now));
  }

  private CommEffect go(Step next, long now, long waitMillis) {
    step = next;
    return convert(next.lock, next.mode, LockFlags.NONE, null, null, next.why, now, waitMillis);
  }

  private CommEffect go(Step next, long now) {
    return go(next, now, options.lockMillisMax());
  }

  @Override
  protected List<CommEffect> onGranted(CommInput.LockDone d, long now) {
    switch (step) {
      case MESSAGE_CR:
        return read(d, now);
      case NO_NEW_DEV_CR:
        noNewDev = CR;
        return process(now);
      case NO_NEW_DEV_NL:
        noNewDev = NL;
        return publish(now);
      case RECEIPT:
        return List.of(go(Step.ACK_NL, now));
      case ACK_NL:
        return List.of(go(Step.MESSAGE_PR, now));
      case MESSAGE_PR:
        return List.of(go(Step.ACK_CR, now));
      case ACK_CR:
        return List.of(go(Step.MESSAGE_NL, now));
      case MESSAGE_NL:
        step = Step.DONE;
        return List.of();
      default:
        throw new IllegalStateException("grant in step " + step);
    }
  }

  private List<CommEffect> read(CommInput.LockDone d, long now) {
    byte[] lvb = d.lvb() == null ? new byte[0] : d.lvb();
    Envelope e;
    try {
      e = format.decode(lvb);
    } catch (MalformedLvbException bad) {
      long seq = format.peekSeq(lvb).orElse(0);
      if (seq != 0 && seq <= lastSeen) {
        return stale("#" + seq, seq, now);
      }
      seqSeen = seq;
      return notAck("refused the message in the LVB: " + bad.getMessage(), now);
    }
    if (e.seq() <= lastSeen) {
      return stale(e.describe(), e.seq(), now);
    }
    seqSeen = e.seq();
    if (d.valueNotValid()) {
      return notAck("the message LVB is flagged not valid (" + e.describe() + ")", now);
    }
    if (e.sender().equals(self)) {
      // K-MC: WARN("node %d received its own msg") and no ack; with a slot per node this means two
      // nodes use the same slot.
      return notAck("received its own message " + e.describe() + " (does another node use " + self + "?)", now);
    }
    envelope = e;
    if (e.message().type() == MessageType.METADATA_UPDATED && noNewDev == NL) {
      return List.of(go(Step.NO_NEW_DEV_CR, now));
    }
    return process(now);
  }

  private List<CommEffect> process(long now) {
    step = Step.PROCESS;
    awaitUntil(now + options.processMillisMax());
    return List.of(new CommEffect.Process(envelope));
  }

  private List<CommEffect> publish(long now) {
    result = Result.PROCESSED;
    Receipt receipt = new Receipt(self, envelope.seq(), true);
    step = Step.RECEIPT;
    return List.of(
        convert(CommLock.RECEIPT, PW, LockFlags.NONE, format.encode(receipt), receipt.toString(), Step.RECEIPT.why, now,
            options.lockMillisMax()));
  }

  private List<CommEffect> stale(String what, long seq, long now) {
    result = Result.STALE;
    staleSeq = seq;
    reason = "already seen " + what + " (last seen #" + lastSeen + ")";
    CommEffect note = new CommEffect.Note("messaging.stale", reason);
    if (seq == lastStale) {
      return List.of(note, go(Step.MESSAGE_PR, now, 2 * options.lockMillisMax()));
    }
    return List.of(note, go(Step.ACK_CR, now));
  }

  /**
   * No ack: wait at the PR barrier until the sender gave up and released message (its ack wait
   * and our barrier have the same limit, so the barrier gets twice that), then re-arm ack.
   */
  private List<CommEffect> notAck(String why, long now) {
    result = Result.NOT_ACKED;
    reason = why;
    return List.of(
        new CommEffect.Note("messaging.not-acked", why),
        go(Step.MESSAGE_PR, now, 2 * options.lockMillisMax()));
  }

  @Override
  protected List<CommEffect> onFailed(LockFailure f, long now) {
    switch (step) {
      case MESSAGE_CR:
        // Nothing read; re-arm ack so that the sender's EX (or the next one's) calls again.
        result = Result.UNREAD;
        reason = f.description();
        return List.of(new CommEffect.Note("messaging.unread", f.description()), go(Step.ACK_CR, now));
      case NO_NEW_DEV_CR:
        // K-MC process_metadata_update ignores this conversion's result; so do we.
        List<CommEffect> out = new java.util.ArrayList<>(2);
        out.add(new CommEffect.Note("messaging.no-new-dev-cr-failed", f.description()));
        out.addAll(process(now));
        return out;
      case NO_NEW_DEV_NL:
        // The initiator's no-new-dev EX will be refused: the disk is not added. Ack all the same.
        return publish(now);
      case RECEIPT:
        // The receipt only names non-ackers; the message was processed, so ack it.
        return List.of(new CommEffect.Note("messaging.receipt-failed", f.description()), go(Step.ACK_NL, now));
      case ACK_NL:
        result = Result.NOT_ACKED;
        reason = f.description();
        return List.of(new CommEffect.Note("messaging.not-acked", f.description()), go(Step.MESSAGE_PR, now));
      case MESSAGE_PR:
        // The sender did not release message in time; go on so that this node hears of later ones.
        return List.of(new CommEffect.Note("messaging.barrier-expired", f.description()), go(Step.ACK_CR, now));
      case ACK_CR:
        markBroken("ack →CR failed: this node would hear of no further message: " + f.description());
        return List.of(go(Step.MESSAGE_NL, now));
      case MESSAGE_NL:
        markBroken("message →NL failed: " + f.description());
        step = Step.DONE;
        return List.of();
      default:
        throw new IllegalStateException("failure in step " + step + ": " + f);
    }
  }

  @Override
  protected List<CommEffect> onInput(CommInput input, long now) {
    if (input instanceof CommInput.Processed p && isCurrent(p.seq())) {
      stopWaiting();
      if (envelope.message().type() == MessageType.NEWDISK) {
        step = Step.NEW_DISK_CONFIRM;
        awaitUntil(now + options.newDiskConfirmMillisMax());
        return List.of(new CommEffect.Note("messaging.newdisk-wait", envelope.describe()));
      }
      return publish(now);
    }
    if (input instanceof CommInput.ProcessingFailed p && isCurrent(p.seq())) {
      stopWaiting();
      return notAck("handler failed on " + envelope.describe() + ": " + p.reason(), now);
    }
    return List.of();
  }

  private boolean isCurrent(long seq) {
    return step == Step.PROCESS && envelope != null && envelope.seq() == seq;
  }

  /** True while a NEWDISK waits for its confirmation ({@link CommInput.NewDiskAnswer}). */
  public boolean awaitsNewDiskAnswer() {
    return step == Step.NEW_DISK_CONFIRM;
  }

  /** The NEWDISK's answer (K-MC {@code new_disk_ack}). */
  public List<CommEffect> answerNewDisk(boolean found, long now) {
    if (!awaitsNewDiskAnswer()) {
      throw new IllegalStateException("no NEWDISK waits for an answer (step " + step + ")");
    }
    stopWaiting();
    if (found && noNewDev != NL) {
      return List.of(go(Step.NO_NEW_DEV_NL, now));
    }
    return publish(now);
  }

  @Override
  protected List<CommEffect> onWaitExpired(long now) {
    if (step == Step.PROCESS) {
      return notAck("handler did not finish " + envelope.describe() + " within " + options.processMillisMax() + " ms", now);
    }
    if (step == Step.NEW_DISK_CONFIRM) {
      // K-MC "timeout on a new disk adding": the disk counts as not found; no-new-dev stays CR, so
      // the initiator's EX NOQUEUE is refused. Unlike the kernel we ack, so the initiator fails at
      // once instead of after its 30 s ack timeout.
      List<CommEffect> out = new java.util.ArrayList<>(2);
      out.add(
          new CommEffect.Note(
              "messaging.newdisk-timeout",
              envelope.describe() + " not confirmed within " + options.newDiskConfirmMillisMax() + " ms; not accepting the disk"));
      out.addAll(publish(now));
      return out;
    }
    return List.of();
  }

  // ---------------------------------------------------------------------------------------------

  public Step step() {
    return step;
  }

  /** The message read and accepted for processing, or null. */
  public Envelope envelope() {
    return envelope;
  }

  /** The seq read from the LVB (0 when none could be read, or it was stale). */
  public long seqSeen() {
    return seqSeen;
  }

  public Result result() {
    return result;
  }

  /** The seq of the message found stale, when {@link #result()} is STALE; 0 otherwise. */
  public long staleSeq() {
    return staleSeq;
  }

  /** Why the wake-up did not end in PROCESSED. */
  public String reason() {
    return reason;
  }

  /** The mode of no-new-dev after this machine's conversions. */
  public LockMode noNewDev() {
    return noNewDev;
  }

  @Override
  boolean done() {
    return step == Step.DONE;
  }
}
