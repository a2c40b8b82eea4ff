package io.clustermd.dlm.actor;

import io.clustermd.dlm.api.LockspaceOps;
import io.clustermd.dlm.core.cluster.NodeId;
import io.clustermd.dlm.core.cluster.Slot;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records a lockspace's recovery callbacks, in order, for assertions. */
final class RecordingOps implements LockspaceOps {
  record Done(List<Slot> slots, int ourSlot, long generation) {}

  record Failed(NodeId node, int slot) {}

  final List<Object> events = new CopyOnWriteArrayList<>();
  final List<Done> done = new CopyOnWriteArrayList<>();
  final List<Failed> failed = new CopyOnWriteArrayList<>();
  volatile long recoverDoneNanos;
  volatile String removed;

  @Override
  public void recoverPrep() {
    events.add("prep");
  }

  @Override
  public void recoverSlot(NodeId node, int slot) {
    Failed f = new Failed(node, slot);
    failed.add(f);
    events.add(f);
  }

  @Override
  public void recoverDone(List<Slot> slots, int ourSlot, long generation) {
    Done d = new Done(slots, ourSlot, generation);
    recoverDoneNanos = System.nanoTime();
    done.add(d);
    events.add(d);
  }

  @Override
  public void removed(String why) {
    removed = why;
    events.add("removed: " + why);
  }

  Done last() {
    return done.isEmpty() ? null : done.get(done.size() - 1);
  }
}
