package io.clustermd.dlm.transport;

import com.typesafe.config.Config;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The settings of the DLM's link-frame transport, read from {@code clustermd.dlm.transport}.
 *
 * @param kind {@link Kind#TCP}: the DLM's own connections; {@link Kind#ARTERY}: Akka remoting only
 * @param hostname where to listen; empty means the Artery canonical hostname of this agent
 * @param port where to listen; 0 picks a free port (it is announced to the other agents)
 * @param maxFrameBytes the largest frame accepted from a peer; a longer one closes the connection
 * @param queuedBytesMax bytes waiting for a slow or stopped peer before its connection is dropped
 *     (the reliable link retransmits what was lost once a new connection is up)
 * @param connectTimeoutMillis how long a connection attempt may take
 * @param retryMillis after a failed or broken connection, frames to that agent go over Artery for
 *     this long before the next attempt
 */
public record TransportSettings(
    Kind kind,
    String hostname,
    int port,
    int maxFrameBytes,
    int queuedBytesMax,
    long connectTimeoutMillis,
    long retryMillis) {

  /** Which path carries link frames between lockspace members. */
  public enum Kind {
    /** One TCP connection per ordered pair of agents, Artery while none is up. */
    TCP,
    /** Akka remoting only (the DLM manager's actor on each agent). */
    ARTERY
  }

  public TransportSettings {
    if (port < 0 || port > 65535 || maxFrameBytes < 1024 || queuedBytesMax < maxFrameBytes
        || connectTimeoutMillis < 1 || retryMillis < 1) {
      throw new IllegalArgumentException("clustermd.dlm.transport settings out of range: " + this);
    }
  }

  public static TransportSettings from(Config root) {
    Config c = root.getConfig("clustermd.dlm.transport");
    String kind = c.getString("kind");
    Kind k;
    try {
      k = Kind.valueOf(kind.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "clustermd.dlm.transport.kind is \"" + kind + "\"; it must be \"tcp\" or \"artery\"", e);
    }
    return new TransportSettings(
        k,
        c.getString("hostname"),
        c.getInt("port"),
        (int) c.getBytes("max-frame-size").longValue(),
        (int) c.getBytes("queued-bytes-max").longValue(),
        c.getDuration("connect-timeout", TimeUnit.MILLISECONDS),
        c.getDuration("retry-interval", TimeUnit.MILLISECONDS));
  }
}
