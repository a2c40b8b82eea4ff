package io.clustermd.bench.versus;

import io.clustermd.bench.Samples;
import io.clustermd.bench.versus.VersusResults.RoundResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the side-by-side benchmark in this one JVM: for each round, each backend in turn is
 * started, measured case by case, and stopped before the next one starts, so backends never
 * compete for the two cores with each other.
 */
public final class VersusRunner {

  private final VersusOptions options;
  private final PrintWriter progress;
  /** The load average when each backend started, in the order they started. */
  private final List<String> loads = new ArrayList<>();

  /** @param progress where one line per started backend and finished case goes */
  public VersusRunner(VersusOptions options, PrintWriter progress) {
    this.options = options;
    this.progress = progress;
  }

  public VersusResults run(List<String> backendNames) {
    for (String name : backendNames) {
      Backends.requireKnown(name); // before measuring anything
    }
    String loadBefore = Samples.loadAverage();
    List<RoundResult> rounds = new ArrayList<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    for (int round = 1; round <= options.rounds(); round++) {
      for (String name : backendNames) {
        runBackend(name, round, rounds, descriptions);
      }
    }
    return new VersusResults(options, rounds, descriptions, loadBefore, Samples.loadAverage(), List.copyOf(loads));
  }

  private void runBackend(String name, int round, List<RoundResult> rounds, Map<String, String> descriptions) {
    LockServiceBackend backend = Backends.create(name);
    try {
      String load = Samples.loadAverage();
      loads.add("round " + round + " " + name + ": " + load);
      say("round %d: starting %s (load average %s)", round, name, load);
      long t0 = System.nanoTime();
      try {
        backend.start(options.nodes(), options.lockWaitMillisMax());
        say("round %d: %s started in %.1f s", round, name, (System.nanoTime() - t0) / 1e9);
      } catch (Exception e) {
        for (VersusCase c : options.cases()) {
          rounds.add(new RoundResult(round, CaseResult.failed(name, c, "-", "start failed: " + e)));
        }
        say("%s: start failed: %s", name, e);
        return;
      }
      descriptions.put(name, backend.description());
      for (VersusCase c : options.cases()) {
        if (c == VersusCase.TRANSPORT_ROUND_TRIP && backend.roundTrip().isEmpty()) {
          continue; // no transport of its own to measure: no row
        }
        CaseResult r = runCase(backend, c);
        rounds.add(new RoundResult(round, r));
        say("round %d: %s %s: %s", round, name, c.label(), ResultReport.oneLine(r));
      }
    } finally {
      stop(backend, round);
    }
  }

  private void stop(LockServiceBackend backend, int round) {
    long t0 = System.nanoTime();
    try {
      backend.close();
      say("round %d: %s stopped in %.1f s", round, backend.name(), (System.nanoTime() - t0) / 1e9);
    } catch (Exception e) {
      say("round %d: %s: stop failed: %s", round, backend.name(), e);
    }
  }

  private CaseResult runCase(LockServiceBackend backend, VersusCase c) {
    String lockName = "versus-" + c.letter();
    try {
      if (c == VersusCase.CONTENDED_HANDOFF) {
        return ContendedProbe.run(backend, lockName, options);
      }
      if (c == VersusCase.TRANSPORT_ROUND_TRIP) {
        return UncontendedProbe.runRoundTrip(backend, backend.roundTrip().orElseThrow(), options);
      }
      return UncontendedProbe.run(backend, c, lockName, options);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CaseResult.failed(backend.name(), c, "-", "interrupted");
    } catch (Exception e) {
      return CaseResult.failed(backend.name(), c, "-", e.toString());
    }
  }

  private void say(String format, Object... args) {
    progress.println(String.format(format, args));
    progress.flush();
  }

}
