package io.clustermd.dlm.core;

import io.clustermd.dlm.core.Effect.Blocking;
import io.clustermd.dlm.core.Effect.Completion;
import io.clustermd.dlm.core.ResourceModel.Outcome;
import io.clustermd.dlm.core.ResourceModel.Rec;
import io.clustermd.dlm.core.ResourceModel.Where;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Random operation sequences on one {@link LockResource}, checked step by step against the
 * independent {@link ResourceModel} (written from dlm.md §1–§8) and against invariants that need no
 * model at all.
 *
 * <p>Each try is a sequence of 20–60 operations (shrinkable down to one) on 3–6 lock slots:
 * requests in all six modes, conversions, unlocks and cancels with random flags drawn from NOQUEUE,
 * VALBLK (with or without an LVB buffer), IVVALBLK, QUECVT, CONVDEADLK, NOQUEUEBAST, HEADQUE,
 * NOORDER, ALTPR, ALTCW and EXPEDITE, plus an occasional re-evaluation ({@code grantPending}, also
 * with {@code recover}). Invalid combinations are generated on purpose; they must be refused and
 * change nothing. After every step the property compares, model against core:
 *
 * <ul>
 *   <li>the synchronous result (accepted, or refused with which error);
 *   <li>the completions in order (lock, status, mode afterwards, sb flags, LVB bytes read);
 *   <li>each lock's own sequence of completions and blocking callbacks (raw {@link
 *       Effect.Blocking} effects, before any callback-layer filtering), so the §5.2 rules including
 *       {@code highbast} and the PR/CW special case are compared exactly;
 *   <li>which locks exist, each lock's status, granted and requested mode and LVB buffer, the
 *       order of the convert and wait queues, the grant queue as a set;
 *   <li>the resource LVB: value, VALNOTVALID, sequence number.
 * </ul>
 *
 * and checks without the model: {@link LockResource#checkInvariants()}; every pair of held modes
 * compatible; at most one completion per lock per step, exactly one for each accepted operation
 * that did not queue (none for a losing cancel), and completions only for locks that had something
 * pending; FIFO among plain waiters (and among plain queued conversions) — no HEADQUE, no NOORDER —
 * a later arrival is never granted while an earlier one still waits; a refused operation leaves
 * the resource exactly as it was.
 *
 * <p>Two properties share all of this: the main one draws every mode and flag evenly; the second
 * skews modes and flags towards colliding conversions (CONVDEADLK demotion, HEADQUE, QUECVT,
 * NOORDER, ALT modes) so the convert-queue cascade and the demotion paths are hit often. Both print
 * per-try feature statistics and fail if the generator stops reaching a rule.
 *
 * <p>Where dlm.md and fs/dlm disagree or dlm.md is silent, the model takes a side (see {@link
 * ResourceModel}): the kernel's exact order for the convert-queue passes (finish the pass, then
 * restart) and its bookkeeping of {@code cw} and {@code high} for re-evaluation basts (dlm.md §4.3
 * paraphrases these); dlm.md's losing-cancel rule over the kernel's stale-CANCEL EINVAL; a granted
 * conversion always leaves the convert queue (the kernel's {@code _grant_lock} does not move a lock
 * whose alternate mode equals its granted mode); when the last lock goes, the LVB goes with its
 * VALNOTVALID flag (the sequence number stays). NODLCKWT, PERSISTENT and remote operations are not
 * generated.
 */
class LockResourceProperties {

  private static final int LVB_LEN = 8;
  private static final int MAX_SLOTS = 6;

  // ---------------------------------------------------------------------------------------------
  // Operations (shrinkable records)
  // ---------------------------------------------------------------------------------------------

  sealed interface Op {}

  record Request(int slot, LockMode mode, Set<LockFlag> flags, Integer lvb, boolean bast) implements Op {
    @Override
    public String toString() {
      return "request s" + slot + " " + mode + " " + flagText(flags) + lvbText(lvb) + (bast ? "" : " no-bast");
    }
  }

  record Convert(int slot, LockMode mode, Set<LockFlag> flags, Integer lvb) implements Op {
    @Override
    public String toString() {
      return "convert s" + slot + " " + mode + " " + flagText(flags) + lvbText(lvb);
    }
  }

  /** An unlock; with CANCEL among the flags it is a cancel through {@code unlock}. */
  record Unlock(int slot, Set<LockFlag> flags, Integer lvb) implements Op {
    @Override
    public String toString() {
      return "unlock s" + slot + " " + flagText(flags) + lvbText(lvb);
    }
  }

  /** {@link LockResource#cancel(LockId)}. */
  record Cancel(int slot) implements Op {
    @Override
    public String toString() {
      return "cancel s" + slot;
    }
  }

  /** {@link LockResource#grantPending(boolean)}: a re-evaluation nobody asked for. */
  record Regrant(boolean recover) implements Op {
    @Override
    public String toString() {
      return "grantPending recover=" + recover;
    }
  }

  record Scenario(int slots, List<Op> ops) {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(slots + " slots, " + ops.size() + " ops:");
      for (int i = 0; i < ops.size(); i++) {
        sb.append("\n  #").append(i).append(' ').append(ops.get(i));
      }
      return sb.toString();
    }
  }

  private static String flagText(Set<LockFlag> flags) {
    return flags.isEmpty() ? "[]" : flags.stream().map(Enum::name).sorted().toList().toString();
  }

  private static String lvbText(Integer lvb) {
    return lvb == null ? "" : " lvb=" + lvb;
  }

  // ---------------------------------------------------------------------------------------------
  // Generators
  // ---------------------------------------------------------------------------------------------

  @Provide
  Arbitrary<Scenario> scenarios() {
    return scenarios(false);
  }

  @Provide
  Arbitrary<Scenario> conversionContention() {
    return scenarios(true);
  }

  /**
   * Sequences of 20..60 operations (shrinkable down to one) on 3..6 slots. The {@code contention}
   * profile draws modes and flags that make conversions collide: mostly PR/EX/NL, CONVDEADLK,
   * HEADQUE, QUECVT and NOORDER on conversions, so demotions, deadlocks found while queued and
   * convert-queue cascades are frequent.
   */
  private Arbitrary<Scenario> scenarios(boolean contention) {
    Arbitrary<Integer> slots = Arbitraries.integers().between(3, MAX_SLOTS);
    Arbitrary<List<Op>> ops =
        op(contention).list().ofMinSize(1).ofMaxSize(60).withSizeDistribution(uniformFrom(20));
    return Combinators.combine(slots, ops).as(Scenario::new);
  }

  private static RandomDistribution uniformFrom(int low) {
    return (genSize, min, max, center) -> {
      BigInteger from = min.max(BigInteger.valueOf(low)).min(max);
      int span = max.subtract(from).intValueExact() + 1;
      return random -> from.add(BigInteger.valueOf(random.nextInt(span)));
    };
  }

  private Arbitrary<Op> op(boolean contention) {
    Arbitrary<Integer> slot = Arbitraries.integers().between(0, MAX_SLOTS - 1);
    Arbitrary<LockMode> mode =
        contention
            ? Arbitraries.frequency(
                Tuple.of(3, LockMode.NL), Tuple.of(1, LockMode.CR), Tuple.of(2, LockMode.CW),
                Tuple.of(5, LockMode.PR), Tuple.of(1, LockMode.PW), Tuple.of(4, LockMode.EX))
            : Arbitraries.of(LockMode.class);
    Arbitrary<Integer> lvb = Arbitraries.integers().between(1, 99).injectNull(0.15);
    Arbitrary<Boolean> bast = Arbitraries.integers().between(0, 9).map(x -> x < 9);

    Arbitrary<Set<LockFlag>> requestFlags =
        flags(
            Tuple.of(6, LockFlag.VALBLK),
            Tuple.of(3, LockFlag.NOQUEUE),
            Tuple.of(2, LockFlag.NOQUEUEBAST),
            Tuple.of(2, LockFlag.HEADQUE),
            Tuple.of(2, LockFlag.NOORDER),
            Tuple.of(2, LockFlag.ALTPR),
            Tuple.of(2, LockFlag.ALTCW),
            Tuple.of(1, LockFlag.IVVALBLK),
            Tuple.of(1, LockFlag.EXPEDITE),
            // invalid on a new request
            Tuple.of(1, LockFlag.QUECVT),
            Tuple.of(1, LockFlag.CONVDEADLK));
    Arbitrary<Set<LockFlag>> convertFlags =
        contention
            ? flags(
                Tuple.of(8, LockFlag.CONVDEADLK),
                Tuple.of(4, LockFlag.HEADQUE),
                Tuple.of(3, LockFlag.QUECVT),
                Tuple.of(3, LockFlag.NOORDER),
                Tuple.of(2, LockFlag.ALTPR),
                Tuple.of(2, LockFlag.ALTCW),
                Tuple.of(3, LockFlag.VALBLK),
                Tuple.of(1, LockFlag.NOQUEUE),
                Tuple.of(1, LockFlag.NOQUEUEBAST),
                Tuple.of(1, LockFlag.IVVALBLK))
            : flags(
                Tuple.of(5, LockFlag.VALBLK),
                Tuple.of(6, LockFlag.CONVDEADLK),
                Tuple.of(3, LockFlag.QUECVT),
                Tuple.of(3, LockFlag.NOQUEUE),
                Tuple.of(2, LockFlag.NOQUEUEBAST),
                Tuple.of(2, LockFlag.HEADQUE),
                Tuple.of(2, LockFlag.NOORDER),
                Tuple.of(2, LockFlag.ALTPR),
                Tuple.of(2, LockFlag.ALTCW),
                Tuple.of(2, LockFlag.IVVALBLK),
                // invalid on a conversion
                Tuple.of(1, LockFlag.EXPEDITE),
                Tuple.of(1, LockFlag.CANCEL));
    Arbitrary<Set<LockFlag>> unlockFlags =
        flags(
            Tuple.of(5, LockFlag.VALBLK),
            Tuple.of(3, LockFlag.IVVALBLK),
            Tuple.of(1, LockFlag.CANCEL),
            Tuple.of(1, LockFlag.FORCEUNLOCK),
            // invalid on unlock
            Tuple.of(1, LockFlag.NOQUEUE));

    Arbitrary<Op> request =
        Combinators.combine(slot, mode, requestFlags, lvb, bast).as(Request::new);
    Arbitrary<Op> convert = Combinators.combine(slot, mode, convertFlags, lvb).as(Convert::new);
    Arbitrary<Op> unlock = Combinators.combine(slot, unlockFlags, lvb).as(Unlock::new);
    Arbitrary<Op> cancel = slot.map(Cancel::new);
    Arbitrary<Op> regrant = Arbitraries.frequency(Tuple.of(3, false), Tuple.of(1, true)).map(Regrant::new);
    return Arbitraries.frequencyOf(
        Tuple.of(2, regrant),
        Tuple.of(contention ? 6 : 8, cancel),
        Tuple.of(contention ? 16 : 12, unlock),
        Tuple.of(contention ? 40 : 32, convert),
        Tuple.of(30, request));
  }

  /** A set of up to three flags (usually zero to two), weighted; shrinks towards fewer flags. */
  @SafeVarargs
  private static Arbitrary<Set<LockFlag>> flags(Tuple.Tuple2<Integer, LockFlag>... weighted) {
    return Arbitraries.frequency(weighted).set().ofMaxSize(3).withSizeDistribution(RandomDistribution.biased());
  }

  // ---------------------------------------------------------------------------------------------
  // The property
  // ---------------------------------------------------------------------------------------------

  // jqwik takes its display name from @Label; it refuses JUnit's @DisplayName on a @Property.
  @Property(tries = 1000, edgeCases = EdgeCasesMode.NONE)
  @Label(
      "dlm.md §1-§8: on random request/convert/unlock/cancel sequences with random flags, LockResource"
          + " matches an independent model step by step (results, completions, basts, queues, LVB)"
          + " and keeps its invariants")
  void coreAgreesWithModelAndKeepsInvariants(@ForAll("scenarios") Scenario scenario) {
    Set<String> seen = runAll(scenario);
    report(seen, "feature (tries with it)",
        List.of("OK", "EAGAIN", "EDEADLK", "ECANCEL", "EUNLOCK", "DEMOTED", "ALTMODE", "VALNOTVALID",
            "lvb read", "lvb written", "bast QUEUED_BEHIND", "bast STILL_BLOCKING",
            "bast NOQUEUE_REFUSED_BY", "queued conversion", "queued request",
            "granted from convert queue", "granted from wait queue",
            "granted from behind the head of its queue", "queued at the head (HEADQUE)",
            "demoted and queued", "refused EINVAL", "refused EBUSY", "refused ENOENT",
            "losing cancel"));
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  @Label(
      "dlm.md §3.3, §4.3, §7.1: under heavy conversion contention (CONVDEADLK, HEADQUE, QUECVT,"
          + " NOORDER, ALT modes) LockResource matches the independent model and keeps its invariants")
  void conversionContentionAgreesWithModel(@ForAll("conversionContention") Scenario scenario) {
    Set<String> seen = runAll(scenario);
    report(seen, "contention feature (tries with it)",
        List.of("DEMOTED", "demoted and queued", "EDEADLK", "ALTMODE",
            "granted from convert queue", "granted from behind the head of its queue",
            "queued at the head (HEADQUE)", "queued conversion"));
  }

  private static Set<String> runAll(Scenario scenario) {
    Run run = new Run(scenario.slots());
    for (Op op : scenario.ops()) {
      run.step(op);
    }
    return run.features;
  }

  /**
   * Statistics per try, and a guard that the generator keeps reaching the interesting rules. The
   * rarest required feature (DEMOTED in the main property) shows up in about 1% of tries, so "at
   * least once" does not flake.
   */
  private static void report(Set<String> seen, String label, List<String> required) {
    for (String f : seen) {
      Statistics.label(label).collect(f);
    }
    Statistics.label(label).coverage(c -> required.forEach(f -> c.check(f).count(n -> n >= 1)));
  }

  // ---------------------------------------------------------------------------------------------
  // One try: drive core and model side by side
  // ---------------------------------------------------------------------------------------------

  private static final class Run {
    final int slotCount;
    final LockResource core = new LockResource(ResourceName.of("prop"), LVB_LEN);
    final ResourceModel model = new ResourceModel();
    final LockId[] slots = new LockId[MAX_SLOTS];
    long nextId = 1;
    /** Every step so far, formatted only when a check fails. */
    final List<Op> ops = new ArrayList<>();
    final List<LockId> targets = new ArrayList<>();
    final List<Step> steps = new ArrayList<>();
    /** The core's snapshot after the previous step (nothing changes between steps). */
    String lastSnapshot;
    final Set<String> features = new TreeSet<>();
    /** Plain (no HEADQUE/NOORDER) queued requests and conversions, by arrival. */
    final Map<Long, Long> plainWaiting = new HashMap<>();
    final Map<Long, Long> plainConverting = new HashMap<>();
    long clock;
    int lvbSeqBefore;
    LockMode heldBefore;
    long firstWaiting;
    long firstConverting;

    Run(int slotCount) {
      this.slotCount = slotCount;
    }

    void step(Op op) {
      Map<Long, LockStatus> before = coreStatuses();
      String snapshotBefore = lastSnapshot != null ? lastSnapshot : coreSnapshot();
      firstWaiting = core.waitQueue().isEmpty() ? 0 : core.waitQueue().get(0).id().value();
      firstConverting = core.convertQueue().isEmpty() ? 0 : core.convertQueue().get(0).id().value();
      lvbSeqBefore = core.lvbSequence();

      LockId target = null;
      Step step;
      Outcome expected;
      if (op instanceof Request r) {
        target = slotForRequest(r.slot());
        byte[] lvb = buffer(r.lvb());
        step = core.request(target, r.mode(), LockFlags.of(arr(r.flags())), lvb, r.bast());
        expected = model.request(target.value(), r.mode().value(), bits(r.flags()), lvb, r.bast());
      } else if (op instanceof Convert c) {
        target = idOf(c.slot());
        byte[] lvb = buffer(c.lvb());
        Lock held = core.lock(target);
        heldBefore = held == null ? null : held.grantedMode();
        step = core.convert(target, c.mode(), LockFlags.of(arr(c.flags())), lvb);
        expected = model.convert(target.value(), c.mode().value(), bits(c.flags()), lvb);
      } else if (op instanceof Unlock u) {
        target = idOf(u.slot());
        byte[] lvb = buffer(u.lvb());
        step = core.unlock(target, LockFlags.of(arr(u.flags())), lvb);
        expected = model.unlock(target.value(), bits(u.flags()), lvb);
      } else if (op instanceof Cancel c) {
        target = idOf(c.slot());
        step = core.cancel(target);
        expected = model.unlock(target.value(), LockFlag.CANCEL.bit(), null);
      } else {
        boolean recover = ((Regrant) op).recover();
        step = new Step.Accepted(core.grantPending(recover));
        expected = model.grantPending(recover);
      }
      ops.add(op);
      targets.add(target);
      steps.add(step);

      String snapshotAfter = coreSnapshot();
      lastSnapshot = snapshotAfter;
      compareWithModel(op, step, expected, snapshotAfter);
      try {
        core.checkInvariants();
      } catch (IllegalStateException e) {
        fail("checkInvariants: " + e.getMessage());
      }
      checkHeldModesCompatible();
      checkCompletionAccounting(op, target, step, before, snapshotBefore, snapshotAfter);
      checkFifo(op, target, step, before);
      noteFeatures(op, target, step, before);
    }

    // ----- ids ------------------------------------------------------------------------------

    /** A new id for a request; the slot's if free, else the next free slot's, else a live id. */
    LockId slotForRequest(int slot) {
      for (int k = 0; k < slotCount; k++) {
        int s = (slot + k) % slotCount;
        if (slots[s] == null || core.lock(slots[s]) == null) {
          slots[s] = new LockId(nextId++);
          return slots[s];
        }
      }
      return slots[slot % slotCount]; // every slot busy: reusing a live id must be refused
    }

    LockId idOf(int slot) {
      LockId id = slots[slot % slotCount];
      return id != null ? id : new LockId(1000 + slot); // never issued: ENOENT
    }

    static byte[] buffer(Integer fill) {
      if (fill == null) {
        return null;
      }
      byte[] b = new byte[LVB_LEN];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) (fill + i);
      }
      return b;
    }

    // ----- comparison with the model ------------------------------------------------------------

    void compareWithModel(Op op, Step step, Outcome expected, String coreState) {
      List<String> diffs = new ArrayList<>();
      if (step instanceof Step.Rejected rej) {
        if (expected.error() != rej.error()) {
          diffs.add("result: core refused with " + rej.error() + " (" + rej.reason() + "), model "
              + (expected.error() == null ? "accepts: " + expected.events() : "refuses with " + expected.error()));
        }
      } else {
        List<Effect> effects = ((Step.Accepted) step).effects();
        if (expected.error() != null) {
          diffs.add("result: core accepted with " + effects + ", model refuses with " + expected.error());
        } else {
          List<String> coreCasts = effects.stream().filter(e -> e instanceof Completion).map(Run::fmt).toList();
          List<String> modelCasts = expected.events().stream()
              .filter(e -> e instanceof ResourceModel.Cast).map(Object::toString).toList();
          if (!coreCasts.equals(modelCasts)) {
            diffs.add("completions: core " + coreCasts + ", model " + modelCasts);
          }
          Map<Long, List<String>> corePerLock = new TreeMap<>();
          for (Effect e : effects) {
            corePerLock.computeIfAbsent(e.lock().value(), k -> new ArrayList<>()).add(fmt(e));
          }
          Map<Long, List<String>> modelPerLock = new TreeMap<>();
          for (ResourceModel.Ev e : expected.events()) {
            modelPerLock.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e.toString());
          }
          if (!corePerLock.equals(modelPerLock)) {
            diffs.add("callbacks per lock: core " + corePerLock + ", model " + modelPerLock);
          }
        }
      }
      String modelState = modelSnapshot(model.state());
      if (!coreState.equals(modelState)) {
        diffs.add("state:\n    core  " + coreState + "\n    model " + modelState);
      }
      if (!diffs.isEmpty()) {
        fail("core and model disagree after " + op + ":\n  " + String.join("\n  ", diffs));
      }
    }

    static String fmt(Effect e) {
      if (e instanceof Completion c) {
        return "cast " + c.lock().value() + " " + c.status() + " " + (c.mode() == null ? "IV" : c.mode().name())
            + " sb=" + c.sbFlags() + (c.lvb() == null ? "" : " lvb=" + Arrays.toString(c.lvb()));
      }
      Blocking b = (Blocking) e;
      return "bast " + b.lock().value() + " " + b.mode().name();
    }

    String coreSnapshot() {
      StringBuilder sb = new StringBuilder();
      List<Lock> granted = new ArrayList<>(core.grantQueue());
      granted.sort(Comparator.comparingLong(l -> l.id().value()));
      sb.append("granted{");
      granted.forEach(l -> sb.append(lockText(l.id().value(), l.status().name(), l.grantedMode(), l.requestedMode(), l.lvb())));
      sb.append("} converting[");
      core.convertQueue().forEach(l -> sb.append(lockText(l.id().value(), l.status().name(), l.grantedMode(), l.requestedMode(), l.lvb())));
      sb.append("] waiting[");
      core.waitQueue().forEach(l -> sb.append(lockText(l.id().value(), l.status().name(), l.grantedMode(), l.requestedMode(), l.lvb())));
      sb.append("] lvb=").append(Arrays.toString(core.lvbValue()))
          .append(" notValid=").append(core.lvbNotValid())
          .append(" seq=").append(core.lvbSequence());
      return sb.toString();
    }

    static String modelSnapshot(ResourceModel.State s) {
      StringBuilder sb = new StringBuilder();
      sb.append("granted{");
      s.queue(Where.GRANTED).stream().sorted(Comparator.comparingLong(Rec::id)).forEach(r -> sb.append(recText(r)));
      sb.append("} converting[");
      s.queue(Where.CONVERT).forEach(r -> sb.append(recText(r)));
      sb.append("] waiting[");
      s.queue(Where.WAITING).forEach(r -> sb.append(recText(r)));
      sb.append("] lvb=").append(Arrays.toString(s.lvb().value()))
          .append(" notValid=").append(s.lvb().notValid())
          .append(" seq=").append(s.lvb().seq());
      return sb.toString();
    }

    static String recText(Rec r) {
      return lockText(r.id(), r.where().name(), mode(r.gr()), mode(r.rq()), r.buf());
    }

    static LockMode mode(int m) {
      return m == ResourceModel.IV ? null : LockMode.ofValue(m);
    }

    static String lockText(long id, String status, LockMode gr, LockMode rq, byte[] buf) {
      return " " + id + ":" + status + " gr=" + gr + " rq=" + rq + " buf=" + (buf == null ? "-" : buf[0]);
    }

    // ----- invariants that need no model ----------------------------------------------------------

    void checkHeldModesCompatible() {
      List<Lock> holders = new ArrayList<>(core.grantQueue());
      holders.addAll(core.convertQueue());
      for (int i = 0; i < holders.size(); i++) {
        for (int j = i + 1; j < holders.size(); j++) {
          LockMode a = holders.get(i).grantedMode();
          LockMode b = holders.get(j).grantedMode();
          if (!ResourceModel.compatible(a.value(), b.value())) {
            fail("held modes incompatible: " + holders.get(i) + " and " + holders.get(j));
          }
        }
      }
    }

    void checkCompletionAccounting(
        Op op, LockId target, Step step, Map<Long, LockStatus> before, String snapshotBefore,
        String snapshotAfter) {
      if (step instanceof Step.Rejected) {
        if (!snapshotAfter.equals(snapshotBefore)) {
          fail("a refused operation changed the resource:\n    before " + snapshotBefore + "\n    after  " + snapshotAfter);
        }
        return;
      }
      List<Completion> casts = completions(step);
      Map<Long, Integer> perLock = new HashMap<>();
      for (Completion c : casts) {
        perLock.merge(c.lock().value(), 1, Integer::sum);
      }
      perLock.forEach((id, n) -> {
        if (n > 1) {
          fail("lock " + id + " got " + n + " completions in one step");
        }
      });
      long t = target == null ? 0 : target.value();
      for (Completion c : casts) {
        long id = c.lock().value();
        if (id == t) {
          continue;
        }
        LockStatus was = before.get(id);
        if (was != LockStatus.WAITING && was != LockStatus.CONVERT) {
          fail("completion for lock " + id + " which had nothing pending (" + was + "): " + fmt(c));
        }
        if (c.status() != DlmStatus.OK) {
          fail("a queued lock completed with " + c.status() + " as a side effect: " + fmt(c));
        }
      }
      int mine = perLock.getOrDefault(t, 0);
      Lock after = target == null ? null : core.lock(target);
      LockStatus now = after == null ? LockStatus.ENDED : after.status();
      if (op instanceof Request || op instanceof Convert) {
        boolean queued = now == LockStatus.WAITING || now == LockStatus.CONVERT;
        if (mine != (queued ? 0 : 1)) {
          fail("accepted " + op + " ended " + now + " with " + mine + " completion(s) for itself");
        }
      } else if (op instanceof Cancel || (op instanceof Unlock u && u.flags().contains(LockFlag.CANCEL))) {
        LockStatus was = before.get(t);
        boolean pending = was == LockStatus.WAITING || was == LockStatus.CONVERT;
        if (pending && (mine != 1 || status(casts, t) != DlmStatus.ECANCEL)) {
          fail("cancel of a " + was + " lock gave " + casts);
        }
        if (!pending && !((Step.Accepted) step).effects().isEmpty()) {
          fail("losing cancel (lock " + was + ") produced effects " + ((Step.Accepted) step).effects());
        }
      } else if (op instanceof Unlock) {
        if (mine != 1 || status(casts, t) != DlmStatus.EUNLOCK) {
          fail("unlock gave " + casts);
        }
      }
      // Whatever is still queued has exactly one completion to come; nothing else has.
      for (Lock l : core.convertQueue()) {
        if (perLock.containsKey(l.id().value())) {
          fail("lock " + l.id() + " completed but is still on the convert queue");
        }
      }
      for (Lock l : core.waitQueue()) {
        if (perLock.containsKey(l.id().value())) {
          fail("lock " + l.id() + " completed but is still on the wait queue");
        }
      }
    }

    static DlmStatus status(List<Completion> casts, long id) {
      return casts.stream().filter(c -> c.lock().value() == id).map(Completion::status).findFirst().orElse(null);
    }

    static List<Completion> completions(Step step) {
      if (!(step instanceof Step.Accepted a)) {
        return List.of();
      }
      return a.effects().stream().filter(e -> e instanceof Completion).map(e -> (Completion) e).toList();
    }

    void checkFifo(Op op, LockId target, Step step, Map<Long, LockStatus> before) {
      boolean orderIgnoredForConversions = op instanceof Regrant g && g.recover();
      for (Completion c : completions(step)) {
        long id = c.lock().value();
        if (c.status() == DlmStatus.OK) {
          checkNoEarlierPlain(plainWaiting, id, "waiter");
          if (!orderIgnoredForConversions) {
            checkNoEarlierPlain(plainConverting, id, "conversion");
          }
        }
        plainWaiting.remove(id);
        plainConverting.remove(id);
      }
      if (target != null && step instanceof Step.Accepted) {
        Lock l = core.lock(target);
        Set<LockFlag> flags = op instanceof Request r ? r.flags() : op instanceof Convert c ? c.flags() : Set.of();
        boolean plain = !flags.contains(LockFlag.HEADQUE) && !flags.contains(LockFlag.NOORDER);
        if (l != null && plain && before.get(target.value()) != l.status()) {
          if (l.status() == LockStatus.WAITING) {
            plainWaiting.put(target.value(), clock++);
          } else if (l.status() == LockStatus.CONVERT) {
            plainConverting.put(target.value(), clock++);
          }
        }
        if (l == null) {
          plainWaiting.remove(target.value());
          plainConverting.remove(target.value());
        }
      }
    }

    void checkNoEarlierPlain(Map<Long, Long> queue, long id, String what) {
      Long mine = queue.get(id);
      if (mine == null) {
        return;
      }
      for (Map.Entry<Long, Long> e : queue.entrySet()) {
        if (e.getValue() < mine) {
          fail("FIFO: " + what + " " + id + " granted while earlier " + what + " " + e.getKey() + " still waits");
        }
      }
    }

    // ----- statistics --------------------------------------------------------------------------

    void noteFeatures(Op op, LockId target, Step step, Map<Long, LockStatus> before) {
      if (step instanceof Step.Rejected rej) {
        features.add("refused " + rej.error());
        return;
      }
      List<Effect> effects = ((Step.Accepted) step).effects();
      if ((op instanceof Cancel || op instanceof Unlock u && u.flags().contains(LockFlag.CANCEL)) && effects.isEmpty()) {
        features.add("losing cancel");
      }
      if (core.lvbSequence() != lvbSeqBefore) {
        features.add("lvb written");
      }
      for (Effect e : effects) {
        if (e instanceof Blocking b) {
          features.add("bast " + b.reason());
        } else if (e instanceof Completion c) {
          features.add(c.status().name());
          for (SbFlag f : SbFlag.values()) {
            if (SbFlag.isSet(c.sbFlags(), f)) {
              features.add(f.name());
            }
          }
          if (c.lvb() != null) {
            features.add("lvb read");
          }
          if (c.status() == DlmStatus.OK && before.get(c.lock().value()) == LockStatus.CONVERT) {
            features.add("granted from convert queue");
          }
          if (c.status() == DlmStatus.OK && before.get(c.lock().value()) == LockStatus.WAITING) {
            features.add("granted from wait queue");
          }
          long id = c.lock().value();
          boolean wasQueuedBehind =
              (before.get(id) == LockStatus.WAITING && id != firstWaiting)
                  || (before.get(id) == LockStatus.CONVERT && id != firstConverting);
          if (c.status() == DlmStatus.OK && wasQueuedBehind) {
            features.add("granted from behind the head of its queue");
          }
          if (target != null && id == target.value() && op instanceof Convert
              && SbFlag.isSet(c.sbFlags(), SbFlag.DEMOTED)) {
            features.add("demoted and granted at once");
          }
        }
      }
      if (target != null) {
        Lock l = core.lock(target);
        if (l != null && l.status() == LockStatus.CONVERT && before.get(target.value()) == LockStatus.GRANTED) {
          features.add("queued conversion");
          if (l.grantedMode() == LockMode.NL && heldBefore != LockMode.NL) {
            features.add("demoted and queued");
          }
          if (((Convert) op).flags().contains(LockFlag.HEADQUE) && core.convertQueue().size() > 1) {
            features.add("queued at the head (HEADQUE)");
          }
        }
        if (l != null && l.status() == LockStatus.WAITING && before.get(target.value()) == null) {
          features.add("queued request");
          if (((Request) op).flags().contains(LockFlag.HEADQUE) && core.waitQueue().size() > 1) {
            features.add("queued at the head (HEADQUE)");
          }
        }
      }
    }

    // ----- helpers -----------------------------------------------------------------------------

    Map<Long, LockStatus> coreStatuses() {
      Map<Long, LockStatus> m = new LinkedHashMap<>();
      core.grantQueue().forEach(l -> m.put(l.id().value(), l.status()));
      core.convertQueue().forEach(l -> m.put(l.id().value(), l.status()));
      core.waitQueue().forEach(l -> m.put(l.id().value(), l.status()));
      return m;
    }

    static String describe(Step step) {
      if (step instanceof Step.Rejected r) {
        return "refused " + r.error();
      }
      return ((Step.Accepted) step).effects().stream().map(Run::fmt).collect(Collectors.joining(", ", "[", "]"));
    }

    void fail(String message) {
      List<String> trace = new ArrayList<>();
      for (int i = 0; i < ops.size(); i++) {
        LockId t = targets.get(i);
        trace.add("#" + i + " " + ops.get(i) + (t == null ? "" : " (lock " + t.value() + ")") + " -> " + describe(steps.get(i)));
      }
      throw new AssertionError(
          message + "\n  steps so far:\n    " + String.join("\n    ", trace)
              + "\n  core now:  " + coreSnapshot()
              + "\n  model now: " + modelSnapshot(model.state()));
    }
  }

  private static LockFlag[] arr(Set<LockFlag> flags) {
    return flags.toArray(new LockFlag[0]);
  }

  private static int bits(Set<LockFlag> flags) {
    int b = 0;
    for (LockFlag f : flags) {
      b |= f.bit();
    }
    return b;
  }
}
