package io.clustermd.messaging.core;

import static io.clustermd.dlm.core.LockMode.CR;
import static io.clustermd.dlm.core.LockMode.CW;
import static io.clustermd.dlm.core.LockMode.EX;
import static io.clustermd.dlm.core.LockMode.NL;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.messaging.message.Envelope;
import io.clustermd.messaging.message.LvbFormat;
import io.clustermd.messaging.message.MalformedLvbException;
import io.clustermd.messaging.message.Message;
import io.clustermd.messaging.message.Receipt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One broadcast by this node: the kernel's {@code __sendmsg} (mdcluster.md §3.3 step 2), run while
 * the node owns communication (token EX and recv_mutex, held by {@link CommCore}).
 *
 * <pre>
 * message NL→EX       the grant reads the previous message; ours is numbered after it
 * write the LVB, message EX→CW    publishes it: CW admits the receivers' CR, blocks their PR
 * ack CR→EX           basts every other node; granted once each processed and dropped ack to NL
 * ack EX→CR
 * message →NL         releases the receivers' PR barrier
 * </pre>
 *
 * If ack EX is not granted within {@code lockMillisMax} it is cancelled, the other slots' receipts
 * are read, and the send fails naming the message and every node whose receipt does not show it
 * processed; message still goes to NL. The first error is the one reported (as the kernel since
 * fff42f213824).
 */
public final class SendMachine extends Sequence {

  /** The steps, with the lock and mode each converts to (a table, CONVENTIONS.md §4). */
  public enum Step {
    MESSAGE_EX(CommLock.MESSAGE, EX, "§3.3: message NL→EX (reads the previous message)"),
    MESSAGE_CW(CommLock.MESSAGE, CW, "§3.3: write the LVB, message EX→CW (publishes it)"),
    ACK_EX(CommLock.ACK, EX, "§3.3: ack CR→EX (waits until every other node processed)"),
    READ_RECEIPTS(null, null, "ack EX timed out: read the receipts to name who did not ack"),
    ACK_CR(CommLock.ACK, CR, "§3.3: ack EX→CR"),
    MESSAGE_NL(CommLock.MESSAGE, NL, "§3.3: message →NL (releases the receivers' PR)"),
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

  private final MdSlot self;
  private final int nodes;
  private final LvbFormat format;
  private final Message message;
  private final long lastSeen;
  private Step step;
  private Envelope envelope;
  private CommFailure failure;

  /**
   * @param nodes the number of md slots (the bitmap's {@code nodes}); receipts of the others are
   *     read when ack times out
   * @param lastSeen the highest seq this node has sent or read; ours is above it and above the LVB's
   */
  public SendMachine(
      MdSlot self, int nodes, Message message, long lastSeen, LvbFormat format, CommOptions options) {
    super(options);
    this.self = self;
    this.nodes = nodes;
    this.format = format;
    this.message = message;
    this.lastSeen = lastSeen;
  }

  public List<CommEffect> start(long now) {
    return List.of(go(Step.MESSAGE_EX, null, now));
  }

  private CommEffect go(Step next, byte[] lvb, long now) {
    step = next;
    String content = lvb == null ? null : envelope.describe();
    return convert(next.lock, next.mode, LockFlags.NONE, lvb, content, next.why, now, options.lockMillisMax());
  }

  @Override
  protected List<CommEffect> onGranted(CommInput.LockDone d, long now) {
    switch (step) {
      case MESSAGE_EX:
        {
          long previous = format.peekSeq(d.lvb() == null ? new byte[0] : d.lvb()).orElse(0);
          envelope = new Envelope(Math.max(previous, lastSeen) + 1, self, message);
          List<CommEffect> out = new ArrayList<>(2);
          if (d.valueNotValid()) {
            out.add(
                new CommEffect.Note(
                    "messaging.lvb-not-valid",
                    "message LVB flagged not valid; numbering after this node's last seen #" + lastSeen));
          }
          out.add(go(Step.MESSAGE_CW, format.encode(envelope), now));
          return out;
        }
      case MESSAGE_CW:
        return List.of(go(Step.ACK_EX, null, now));
      case ACK_EX:
        return List.of(go(Step.ACK_CR, null, now));
      case ACK_CR:
        return List.of(go(Step.MESSAGE_NL, null, now));
      case MESSAGE_NL:
        step = Step.DONE;
        return List.of();
      default:
        throw new IllegalStateException("grant in step " + step);
    }
  }

  @Override
  protected List<CommEffect> onFailed(LockFailure f, long now) {
    switch (step) {
      case MESSAGE_EX:
        // Nothing was written and message is still NL.
        fail(CommFailure.Kind.LOCK_FAILED, message.type() + " was not sent: " + f.description());
        step = Step.DONE;
        return List.of();
      case MESSAGE_CW:
        fail(CommFailure.Kind.LOCK_FAILED, describe() + " was not published: " + f.description());
        return List.of(go(Step.MESSAGE_NL, null, now));
      case ACK_EX:
        if (f.kind() == FailureKind.TIMED_OUT) {
          step = Step.READ_RECEIPTS;
          awaitUntil(now + options.lockMillisMax());
          return List.of(new CommEffect.ReadReceipts(otherSlots(), Step.READ_RECEIPTS.why));
        }
        fail(CommFailure.Kind.LOCK_FAILED, describe() + " was not acknowledged: " + f.description());
        return List.of(go(Step.MESSAGE_NL, null, now));
      case ACK_CR:
        // A down-conversion is always granted; if it was not, ack may still be EX and block everyone.
        markBroken("ack EX→CR failed after " + describe() + ": " + f.description());
        return List.of(go(Step.MESSAGE_NL, null, now));
      case MESSAGE_NL:
        markBroken("message →NL failed after " + describe() + ": " + f.description());
        step = Step.DONE;
        return List.of();
      default:
        throw new IllegalStateException("failure in step " + step + ": " + f);
    }
  }

  @Override
  protected List<CommEffect> onInput(CommInput input, long now) {
    if (input instanceof CommInput.ReceiptsRead r && step == Step.READ_RECEIPTS) {
      stopWaiting();
      failure = notAcknowledged(r.lvbs());
      return List.of(go(Step.MESSAGE_NL, null, now));
    }
    return List.of();
  }

  @Override
  protected List<CommEffect> onWaitExpired(long now) {
    if (step != Step.READ_RECEIPTS) {
      return List.of();
    }
    failure =
        new CommFailure(
            CommFailure.Kind.NOT_ACKNOWLEDGED,
            describe() + " was not acknowledged within " + options.lockMillisMax()
                + " ms; the receipts naming who did not ack could not be read within "
                + options.lockMillisMax() + " ms",
            message.type(),
            envelope.seq(),
            List.of());
    return List.of(go(Step.MESSAGE_NL, null, now));
  }

  /** Names every slot whose receipt does not show this message processed. */
  private CommFailure notAcknowledged(Map<MdSlot, byte[]> lvbs) {
    List<MdSlot> missing = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (MdSlot slot : otherSlots()) {
      byte[] lvb = lvbs.get(slot);
      if (lvb == null) {
        missing.add(slot);
        names.add(slot + " (receipt unreadable)");
        continue;
      }
      Receipt r;
      try {
        r = format.decodeReceipt(lvb);
      } catch (MalformedLvbException e) {
        missing.add(slot);
        names.add(slot + " (receipt malformed: " + e.getMessage() + ")");
        continue;
      }
      if (r == null) {
        continue; // nobody holds that slot: not a member
      }
      if (r.lastProcessed() != envelope.seq() || !r.ready()) {
        missing.add(slot);
        names.add(r.describe());
      }
    }
    String who =
        names.isEmpty()
            ? "an unidentified node (every member's receipt shows it processed)"
            : String.join(", ", names);
    return new CommFailure(
        CommFailure.Kind.NOT_ACKNOWLEDGED,
        describe() + " was not acknowledged within " + options.lockMillisMax() + " ms by " + who,
        message.type(),
        envelope.seq(),
        missing);
  }

  private List<MdSlot> otherSlots() {
    List<MdSlot> others = new ArrayList<>(nodes);
    for (int i = 0; i < nodes; i++) {
      if (i != self.value()) {
        others.add(MdSlot.of(i));
      }
    }
    return others;
  }

  private void fail(CommFailure.Kind kind, String description) {
    if (failure == null) {
      failure =
          new CommFailure(
              kind, description, message.type(), envelope == null ? 0 : envelope.seq(), List.of());
    }
  }

  private String describe() {
    return envelope == null ? message.type().toString() : envelope.describe();
  }

  // ---------------------------------------------------------------------------------------------

  public Step step() {
    return step;
  }

  /** The message this machine sends. */
  public Message message() {
    return message;
  }

  /** The message as numbered once message EX was granted; null before. */
  public Envelope envelope() {
    return envelope;
  }

  /** Null when every other node processed the message. */
  public CommFailure failure() {
    return failure;
  }

  /** What a caller completes with once the machine is done. */
  public Outcome outcome() {
    return failure == null && envelope != null ? new Outcome.Sent(envelope.seq()) : null;
  }

  @Override
  boolean done() {
    return step == Step.DONE;
  }
}
