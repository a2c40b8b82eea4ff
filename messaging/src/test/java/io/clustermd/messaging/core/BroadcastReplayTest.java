package io.clustermd.messaging.core;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Replays {@link BroadcastProperties} for one seed: {@code -Dclustermd.messaging.seed=<n>} (add
 * {@code -Dclustermd.messaging.debug=true} to print the cluster when a check fails). Without the
 * property it replays seed 321022, whose join racing a sender's release once tripped the checker.
 */
class BroadcastReplayTest {

  @Test
  @DisplayName("replay one seed of the broadcast properties (default: the join-during-release regression)")
  void replay() {
    new BroadcastProperties().totalOrderExactlyOnceSenderAfterAll(Long.getLong("clustermd.messaging.seed", 321022L));
  }
}
