package io.clustermd.dlm.core.cluster;

import io.clustermd.dlm.core.LockId;
import io.clustermd.dlm.core.LockResource;
import io.clustermd.dlm.core.ResourceName;
import java.util.HashMap;
import java.util.Map;

/** A resource this node masters: the single-resource core and who owns each master copy. */
final class Mastered {

  /** A master copy's holder: the node and the holder's own lock id. */
  record Owner(NodeId node, LockId holderId) {}

  final LockResource core;
  final Map<LockId, Owner> owners = new HashMap<>();
  /** Created by a recovery run that has not finished: discarded if that run is abandoned. */
  boolean tentative;
  /** Re-mastered here by recovery: the LVB is rebuilt from the survivors' copies at resume. */
  boolean remastered;
  /** Locks were purged or restored: re-evaluate the queues at resume, ignoring order. */
  boolean regrant;
  long unusedSince = -1;
  /** Re-mastered PR&lt;-&gt;CW conversions whose held mode recovery settles at resume (§10.3 5d). */
  final java.util.Set<LockId> unsettled = new java.util.LinkedHashSet<>();

  Mastered(ResourceName name, int lvbLength) {
    this.core = new LockResource(name, lvbLength);
  }
}
