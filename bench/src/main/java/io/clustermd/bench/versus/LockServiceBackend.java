package io.clustermd.bench.versus;

import java.util.Optional;

/**
 * A 3-node lock service as seen from one client on each node: the thing the side-by-side
 * benchmark compares (issue 3, "Show"). A backend is started once, measured case by case, and
 * stopped; it is never restarted.
 *
 * <p>Every call that waits is bounded by the {@code lockWaitMillisMax} given to {@link #start};
 * a wait that expires throws {@link java.util.concurrent.TimeoutException}, never hangs.
 */
public interface LockServiceBackend extends AutoCloseable {

  /** The name used on the command line and in the results ({@code zookeeper}, …). */
  String name();

  /** One line on what runs: versions, number of servers, where the data lives. */
  String description();

  /** Starts {@code nodes} nodes and one client per node; returns when every client is ready. */
  void start(int nodes, long lockWaitMillisMax) throws Exception;

  /** The client on node {@code index} (0-based). */
  LockClient node(int index);

  /**
   * Sets up an uncontended case on {@code lockName} and says from which node to measure it. For
   * {@link VersusCase#REMOTE_MASTER} a distributed DLM makes another node the master first.
   */
  Placement prepare(VersusCase uncontendedCase, String lockName) throws Exception;

  /**
   * The bare transport round trip under this backend, node 1 to node 2 and back with no lock
   * service code on the path (case {@link VersusCase#TRANSPORT_ROUND_TRIP}); empty when the
   * backend has none worth measuring.
   */
  default Optional<RoundTrip> roundTrip() {
    return Optional.empty();
  }

  /** Stops every node and client; idempotent. */
  @Override
  void close() throws Exception;

  /** A client of the lock service on one node. Each client is used by one thread at a time. */
  interface LockClient {

    /** Acquires {@code name} (EX when {@code exclusive}, else a shared mode) and returns the handle. */
    LockHandle lock(String name, boolean exclusive) throws Exception;

    /** Releases a lock this client acquired. */
    void unlock(LockHandle handle) throws Exception;
  }

  /** One message from node 1 to node 2 and back, waited for as a lock client waits. */
  interface RoundTrip {

    /** Sends one probe and returns when it came back; bounded by the backend's lock wait. */
    void once() throws Exception;

    /** What the round trip crosses (printed next to the numbers). */
    String note();
  }

  /** A held lock; each backend has its own kind. */
  interface LockHandle {}

  /**
   * Where an uncontended case is measured.
   *
   * @param node the 0-based node whose client runs the loop
   * @param note what the placement means for this backend (printed next to the numbers)
   */
  record Placement(int node, String note) {}
}
