package io.clustermd.messaging.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.dlm.core.DlmStatus;
import io.clustermd.messaging.message.LvbCodec;
import io.clustermd.messaging.message.Message;
import io.clustermd.messaging.message.MessageType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Found by the simulator's messaging scenario (seeds 5, 6, 11, 16 of its first version): a node whose
 * token EX cancel never completed (the lockspace was in recovery for longer than the bound) went BROKEN
 * and failed its queued sends with "communication is broken: …", which did not say which message was lost
 * (CONVENTIONS.md §6). Every failed send now names its message.
 */
class BrokenNamesMessageTest {

  private static final byte[] EMPTY_LVB = new byte[LvbCodec.LVB_BYTES];

  @Test
  @DisplayName("a node that breaks (token EX cancel never completes) fails the owner's and the queued sends naming each message")
  void brokenFailuresNameTheirMessages() {
    CommOptions options = CommOptions.defaults().withLocalWaitMillisMax(600_000);
    CommCore core = new CommCore(MdSlot.of(0), 2, options, LvbCodec.PROTOBUF);
    grantEverything(core, core.step(new CommInput.Join(1), 0));
    grantEverything(core, core.step(new CommInput.Ready(2), 0));
    assertEquals(CommCore.State.READY, core.state());

    List<CommEffect> out = new ArrayList<>(core.step(new CommInput.Send(3, new Message.Remove(1)), 0));
    assertTrue(out.stream().anyMatch(e -> e instanceof CommEffect.Convert c && c.lock() == CommLock.TOKEN), out.toString());
    out.addAll(core.step(new CommInput.Send(4, new Message.ReAdd(2)), 0));
    // token EX is never granted: at the bound it is cancelled; the cancel never completes.
    out.addAll(core.step(new CommInput.Tick(), options.lockMillisMax()));
    out.addAll(core.step(new CommInput.Tick(), 2 * options.lockMillisMax()));
    core.checkInvariants();
    assertEquals(CommCore.State.BROKEN, core.state());

    Map<Long, CommFailure> failed = new HashMap<>();
    for (CommEffect e : out) {
      if (e instanceof CommEffect.Fail f) {
        failed.put(f.ticket(), f.failure());
      }
    }
    assertEquals(CommFailure.Kind.BROKEN, failed.get(3L).kind());
    assertEquals(MessageType.REMOVE, failed.get(3L).type());
    assertTrue(failed.get(3L).description().startsWith("REMOVE send failed: communication is broken"), failed.get(3L).description());
    assertEquals(MessageType.RE_ADD, failed.get(4L).type());
    assertTrue(failed.get(4L).description().startsWith("RE_ADD send failed: communication is broken"), failed.get(4L).description());
  }

  /** Grants every lock operation at once, as a lockspace with nobody else would. */
  private static void grantEverything(CommCore core, List<CommEffect> first) {
    ArrayDeque<CommEffect> todo = new ArrayDeque<>(first);
    while (!todo.isEmpty()) {
      CommEffect e = todo.poll();
      CommInput done = null;
      if (e instanceof CommEffect.Request r) {
        done = new CommInput.LockDone(r.lock(), DlmStatus.OK, r.mode(), r.lock().hasLvb() ? EMPTY_LVB.clone() : null, false);
      } else if (e instanceof CommEffect.Convert c) {
        byte[] lvb = c.lock().hasLvb() ? (c.lvb() != null ? c.lvb().clone() : EMPTY_LVB.clone()) : null;
        done = new CommInput.LockDone(c.lock(), DlmStatus.OK, c.mode(), lvb, false);
      }
      if (done != null) {
        todo.addAll(core.step(done, 0));
        core.checkInvariants();
      }
    }
  }
}
