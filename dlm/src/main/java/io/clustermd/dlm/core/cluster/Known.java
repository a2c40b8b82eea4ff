package io.clustermd.dlm.core.cluster;

import io.clustermd.dlm.core.LockId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What this node knows about a resource it holds locks on (or recently did): its master. */
final class Known {

  /** The master as of the last completed recovery or lookup; null when unknown. */
  NodeId master;
  /** The master agreed before the running recovery began (recovery may only tentatively change it). */
  NodeId agreedMaster;
  boolean lookupOutstanding;
  /** Earliest time to ask the directory again after a "not master" or "ask later" answer. */
  long lookupNotBefore;
  /** Local requests waiting for {@link #master}. */
  List<LockId> waiting = new ArrayList<>();
  /** Local locks on the resource. */
  final Set<LockId> locks = new LinkedHashSet<>();
  /** When the entry became unused, or -1 while used. */
  long unusedSince = -1;

  boolean unused() {
    return locks.isEmpty() && waiting.isEmpty() && !lookupOutstanding;
  }
}
