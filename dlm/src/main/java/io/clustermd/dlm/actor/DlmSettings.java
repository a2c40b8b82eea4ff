package io.clustermd.dlm.actor;

import com.typesafe.config.Config;
import io.clustermd.dlm.core.cluster.LockspaceNode;
import io.clustermd.dlm.core.link.LinkOptions;
import io.clustermd.dlm.transport.TransportSettings;
import java.util.concurrent.TimeUnit;

/**
 * The DLM's settings, read from {@code clustermd.dlm} (defaults in this module's
 * {@code reference.conf}).
 *
 * @param tickMillis how often links (acks, retransmits) and lockspaces are ticked
 * @param nodeTickMillis how often the lockspace core is ticked (lookup retries, toss)
 * @param announceMillis how often each agent re-sends its table of hosted lockspaces
 * @param queryRetryMillis how often a joining lockspace asks again the agents that did not answer
 * @param joinTimeoutMillis the longest a join waits for answers and its first recovery
 * @param tossMillis how long an unused resource stays mastered (fs/dlm toss_secs)
 * @param lookupRetryMillis delay before asking the directory again after "not master"
 * @param callbackThreads threads that deliver completions, blocking and recovery callbacks
 * @param transport how link frames travel between agents ({@code clustermd.dlm.transport})
 */
public record DlmSettings(
    long tickMillis,
    long nodeTickMillis,
    long announceMillis,
    long queryRetryMillis,
    long joinTimeoutMillis,
    long tossMillis,
    long lookupRetryMillis,
    int callbackThreads,
    TransportSettings transport) {

  public DlmSettings {
    if (tickMillis < 1 || nodeTickMillis < tickMillis || announceMillis < tickMillis || joinTimeoutMillis < 1
        || callbackThreads < 1 || transport == null) {
      throw new IllegalArgumentException("clustermd.dlm settings out of range: " + this);
    }
  }

  public static DlmSettings from(Config root) {
    Config c = root.getConfig("clustermd.dlm");
    return new DlmSettings(
        c.getDuration("tick-interval", TimeUnit.MILLISECONDS),
        c.getDuration("node-tick-interval", TimeUnit.MILLISECONDS),
        c.getDuration("announce-interval", TimeUnit.MILLISECONDS),
        c.getDuration("query-retry-interval", TimeUnit.MILLISECONDS),
        c.getDuration("join-timeout", TimeUnit.MILLISECONDS),
        c.getDuration("toss", TimeUnit.MILLISECONDS),
        c.getDuration("lookup-retry", TimeUnit.MILLISECONDS),
        c.getInt("callback-threads"),
        TransportSettings.from(root));
  }

  ClusterLockspace.Options lockspaceOptions() {
    return new ClusterLockspace.Options(
        new LockspaceNode.Options(tossMillis, lookupRetryMillis), LinkOptions.DEFAULTS, nodeTickMillis);
  }
}
