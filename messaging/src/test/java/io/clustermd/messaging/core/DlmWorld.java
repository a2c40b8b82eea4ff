package io.clustermd.messaging.core;

import io.clustermd.dlm.api.DlmException;
import io.clustermd.dlm.core.CallbackFilter;
import io.clustermd.dlm.core.Effect;
import io.clustermd.dlm.core.LockFlags;
import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockMode;
import io.clustermd.dlm.core.LockResource;
import io.clustermd.dlm.core.ResourceName;
import io.clustermd.dlm.core.Step;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A lockspace made of the real DLM core ({@link LockResource}), with no threads: every completion
 * and blocking callback is queued on its lock, and the test decides which lock's next callback is
 * delivered when. Per lock, callbacks keep the core's order (dlm.md §5.3), and the holder-side
 * filter of redundant basts ({@link CallbackFilter}) applies as in {@code LocalLock}.
 */
final class DlmWorld {

  static final int LVB_BYTES = 64;

  /** Receives one lock's callbacks. */
  interface Listener {
    void completed(Handle h, Effect.Completion c);

    void blocked(Handle h, LockMode mode);
  }

  /** One lock of one holder. */
  final class Handle {
    final String label;
    final LockId id;
    final ResourceName resource;
    final byte[] lvb;
    final boolean wantsBast;
    final Listener listener;
    final CallbackFilter filter = new CallbackFilter();
    final ArrayDeque<Effect> pending = new ArrayDeque<>(2);

    Handle(String label, LockId id, ResourceName resource, byte[] lvb, boolean wantsBast, Listener listener) {
      this.label = label;
      this.id = id;
      this.resource = resource;
      this.lvb = lvb;
      this.wantsBast = wantsBast;
      this.listener = listener;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private final Map<ResourceName, LockResource> resources = new LinkedHashMap<>();
  private final Map<LockId, Handle> handles = new HashMap<>();
  private final List<Handle> order = new ArrayList<>();
  private long lastId;
  private long steps;

  Handle request(
      String label, ResourceName resource, LockMode mode, LockFlags flags, boolean withLvb, boolean wantsBast, Listener listener) {
    LockId id = new LockId(++lastId);
    Handle h = new Handle(label, id, resource, withLvb ? new byte[LVB_BYTES] : null, wantsBast, listener);
    LockResource r = resources.computeIfAbsent(resource, n -> new LockResource(n, LVB_BYTES));
    handles.put(id, h);
    order.add(h);
    Step step = r.request(id, mode, flags, h.lvb, wantsBast);
    if (step instanceof Step.Rejected rej) {
      handles.remove(id);
      order.remove(h);
      retireIfUnused(r);
      throw new DlmException(rej.error(), rej.reason() + " (resource " + resource + ")");
    }
    apply(r, (Step.Accepted) step);
    return h;
  }

  void convert(Handle h, LockMode mode, LockFlags flags) {
    LockResource r = resource(h);
    run(r, r.convert(h.id, mode, flags, h.lvb));
  }

  void unlock(Handle h, LockFlags flags) {
    LockResource r = resource(h);
    run(r, r.unlock(h.id, flags, h.lvb));
  }

  void cancel(Handle h) {
    LockResource r = resource(h);
    run(r, r.cancel(h.id));
  }

  private LockResource resource(Handle h) {
    LockResource r = resources.get(h.resource);
    if (r == null || r.lock(h.id) == null) {
      throw new DlmException(io.clustermd.dlm.core.DlmError.ENOENT, "no lock " + h + " on " + h.resource);
    }
    return r;
  }

  private void run(LockResource r, Step step) {
    if (step instanceof Step.Rejected rej) {
      throw new DlmException(rej.error(), rej.reason() + " (resource " + r.name() + ")");
    }
    apply(r, (Step.Accepted) step);
  }

  private void apply(LockResource r, Step.Accepted step) {
    steps++;
    for (Effect e : step.effects()) {
      Handle target = handles.get(e.lock());
      if (target == null) {
        throw new IllegalStateException("effect for an unknown lock: " + e);
      }
      target.pending.add(e);
    }
    r.checkInvariants();
    retireIfUnused(r);
  }

  private void retireIfUnused(LockResource r) {
    if (r.isUnused()) {
      resources.remove(r.name()); // frees the LVB (dlm.md §8)
    }
  }

  /** Locks with a callback waiting, in creation order. */
  List<Handle> deliverable() {
    List<Handle> out = new ArrayList<>();
    for (Handle h : order) {
      if (!h.pending.isEmpty()) {
        out.add(h);
      }
    }
    return out;
  }

  /** Delivers the next callback of {@code h}. */
  void deliver(Handle h) {
    Effect e = h.pending.poll();
    if (e == null) {
      throw new IllegalStateException(h + " has no callback waiting");
    }
    if (e instanceof Effect.Completion c) {
      if (c.lvb() != null && h.lvb != null) {
        System.arraycopy(c.lvb(), 0, h.lvb, 0, h.lvb.length);
      }
      h.filter.completed(c.mode());
      if (c.mode() == null && h.pending.isEmpty()) {
        order.remove(h);
        handles.remove(h.id);
      }
      h.listener.completed(h, c);
    } else if (e instanceof Effect.Blocking b) {
      if (h.wantsBast && h.filter.admitBlocking(b.mode())) {
        h.listener.blocked(h, b.mode());
      }
    }
  }

  /** The core's view of a resource, or null when no lock holds it. */
  LockResource resource(ResourceName name) {
    return resources.get(name);
  }

  long steps() {
    return steps;
  }

  void checkInvariants() {
    for (LockResource r : resources.values()) {
      r.checkInvariants();
    }
  }

  String describe() {
    StringBuilder sb = new StringBuilder();
    for (LockResource r : resources.values()) {
      sb.append("  ").append(r).append('\n');
    }
    return sb.toString();
  }
}
