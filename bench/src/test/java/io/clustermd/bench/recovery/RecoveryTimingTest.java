package io.clustermd.bench.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecoveryTimingTest {

  @Test
  @DisplayName("each step is timed from the step before it, and its median is taken over every survivor")
  void medianOfEachStep() {
    List<long[]> phases = List.of(
        new long[] {3000, 7000, 7500, 7600},
        new long[] {3500, 7100, 7400, 7700},
        new long[] {2900, 6000, 6600, 6650});
    assertEquals("kill -> unreachable 3000 ms -> downed 3600 ms -> removed 500 ms -> recover_done 100 ms",
        RecoveryTiming.medianSteps(phases));
  }

  @Test
  @DisplayName("a step whose event a survivor did not see counts as -1, and so does the step after it")
  void unseenEvent() {
    List<long[]> phases = List.of(new long[] {3000, -1, 7500, 7600});
    assertEquals("kill -> unreachable 3000 ms -> downed -1 ms -> removed -1 ms -> recover_done 100 ms",
        RecoveryTiming.medianSteps(phases));
  }
}
