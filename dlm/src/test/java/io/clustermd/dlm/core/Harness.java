package io.clustermd.dlm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clustermd.dlm.core.Effect.Blocking;
import io.clustermd.dlm.core.Effect.Completion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one {@link LockResource} with named locks ("A", "B", …), passes blocking callbacks through
 * each lock's {@link CallbackFilter} as a holder would, records what every lock observed, and
 * checks the resource's invariants after every step.
 */
final class Harness {

  final LockResource r;
  private final Map<String, LockId> ids = new HashMap<>();
  private final Map<String, CallbackFilter> filters = new HashMap<>();
  private final Map<String, List<Completion>> completions = new HashMap<>();
  private final Map<String, List<LockMode>> basts = new HashMap<>();
  /** Every delivered callback in order, e.g. "A cast OK EX" or "B bast EX". */
  final List<String> log = new ArrayList<>();
  private long nextId = 1;

  Harness() {
    this(32);
  }

  Harness(int lvbLength) {
    r = new LockResource(ResourceName.of("res"), lvbLength);
  }

  Step request(String who, LockMode mode, byte[] lvb, LockFlag... flags) {
    LockId id = new LockId(nextId++);
    Step s = r.request(id, mode, LockFlags.of(flags), lvb, true);
    if (s instanceof Step.Accepted) {
      ids.put(who, id);
      filters.put(who, new CallbackFilter());
    }
    return apply(s);
  }

  Step request(String who, LockMode mode, LockFlag... flags) {
    return request(who, mode, null, flags);
  }

  Step convert(String who, LockMode mode, byte[] lvb, LockFlag... flags) {
    return apply(r.convert(id(who), mode, LockFlags.of(flags), lvb));
  }

  Step convert(String who, LockMode mode, LockFlag... flags) {
    return convert(who, mode, null, flags);
  }

  Step unlock(String who, byte[] lvb, LockFlag... flags) {
    return apply(r.unlock(id(who), LockFlags.of(flags), lvb));
  }

  Step unlock(String who, LockFlag... flags) {
    return unlock(who, null, flags);
  }

  Step cancel(String who) {
    return apply(r.cancel(id(who)));
  }

  /** Grants {@code who} in {@code mode} at once or fails the test. */
  void hold(String who, LockMode mode, LockFlag... flags) {
    request(who, mode, flags);
    assertEquals(DlmStatus.OK, lastStatus(who), who + " should be granted " + mode + " at once");
  }

  LockId id(String who) {
    LockId id = ids.get(who);
    if (id == null) {
      fail("no lock named " + who);
    }
    return id;
  }

  private Step apply(Step s) {
    if (s instanceof Step.Accepted a) {
      for (Effect e : a.effects()) {
        String who = nameOf(e.lock());
        if (e instanceof Completion c) {
          filters.get(who).completed(c.mode());
          completions.computeIfAbsent(who, k -> new ArrayList<>()).add(c);
          log.add(who + " cast " + c.status() + " " + c.mode());
        } else if (e instanceof Blocking b && filters.get(who).admitBlocking(b.mode())) {
          basts.computeIfAbsent(who, k -> new ArrayList<>()).add(b.mode());
          log.add(who + " bast " + b.mode());
        }
      }
    }
    r.checkInvariants();
    return s;
  }

  private String nameOf(LockId id) {
    for (Map.Entry<String, LockId> e : ids.entrySet()) {
      if (e.getValue().equals(id)) {
        return e.getKey();
      }
    }
    throw new AssertionError("effect for unknown lock " + id);
  }

  List<Completion> completions(String who) {
    return completions.getOrDefault(who, List.of());
  }

  Completion lastCompletion(String who) {
    List<Completion> c = completions(who);
    assertTrue(!c.isEmpty(), who + " has had no completion");
    return c.get(c.size() - 1);
  }

  DlmStatus lastStatus(String who) {
    return lastCompletion(who).status();
  }

  List<LockMode> basts(String who) {
    return basts.getOrDefault(who, List.of());
  }

  LockMode held(String who) {
    Lock l = r.lock(id(who));
    return l == null ? null : l.grantedMode();
  }

  LockStatus status(String who) {
    Lock l = r.lock(id(who));
    return l == null ? LockStatus.ENDED : l.status();
  }

  static DlmError rejected(Step s) {
    if (s instanceof Step.Rejected rej) {
      return rej.error();
    }
    throw new AssertionError("expected a rejection, got " + s);
  }

  static byte[] lvb(int length, int fill) {
    byte[] b = new byte[length];
    java.util.Arrays.fill(b, (byte) fill);
    return b;
  }
}
