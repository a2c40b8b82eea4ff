package io.clustermd.bench.versus;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the log level in code: benchmarks.jar carries no logback.xml of its own, and ZooKeeper
 * logs every session and election at INFO, which would drown the results.
 */
final class VersusLogging {

  private VersusLogging() {}

  /** Sets a logger's level when Logback is the SLF4J binding; otherwise leaves logging alone. */
  static void setLevel(String loggerName, String level) {
    if (LoggerFactory.getLogger(loggerName) instanceof Logger logger) {
      logger.setLevel(Level.toLevel(level, Level.WARN));
    }
  }

  /**
   * {@code level} for everything, and {@code peerLevel} for ZooKeeper and Curator, whose servers
   * log closed sockets at ERROR on every orderly shutdown of the ensemble.
   */
  static void configure(String level, String peerLevel) {
    setLevel(org.slf4j.Logger.ROOT_LOGGER_NAME, level);
    setLevel("org.apache.zookeeper", peerLevel);
    setLevel("org.apache.curator", peerLevel);
  }
}
