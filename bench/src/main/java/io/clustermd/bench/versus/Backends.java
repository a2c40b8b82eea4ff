package io.clustermd.bench.versus;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The backends the command line can name, in the order they are listed. */
final class Backends {

  private static final Map<String, Supplier<LockServiceBackend>> ALL = new LinkedHashMap<>();

  static {
    ALL.put(ZooKeeperBackend.NAME, ZooKeeperBackend::new);
    ALL.put(LocalLockspaceBackend.NAME, LocalLockspaceBackend::new);
    ALL.put(ClustermdClusterBackend.NAME, ClustermdClusterBackend::new);
  }

  private Backends() {}

  static Iterable<String> names() {
    return ALL.keySet();
  }

  /** A new, unstarted backend. */
  static LockServiceBackend create(String name) {
    requireKnown(name);
    return ALL.get(name).get();
  }

  /** @throws IllegalArgumentException naming the known backends when {@code name} is not one */
  static void requireKnown(String name) {
    if (!ALL.containsKey(name)) {
      throw new IllegalArgumentException("unknown backend '" + name + "'; known: " + String.join(", ", ALL.keySet()));
    }
  }
}
