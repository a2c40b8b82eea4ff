package io.clustermd.dlm.actor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The failure-detection and split-brain-resolver profiles shipped with clustermd
 * ({@code clustermd/profiles/<name>.conf}): {@code default} for production, {@code tuned} for tests
 * and small clusters. The README states how long detection takes with each.
 */
public final class Profiles {

  public static final String DEFAULT = "default";
  public static final String TUNED = "tuned";

  private Profiles() {}

  /** The profile's settings; layer them over the node's own config. */
  public static Config load(String name) {
    String resource = "clustermd/profiles/" + name + ".conf";
    if (Profiles.class.getClassLoader().getResource(resource) == null) {
      throw new IllegalArgumentException(
          "no failure-detection profile '" + name + "'; the profiles are '" + DEFAULT + "' and '" + TUNED + "'");
    }
    return ConfigFactory.parseResources(Profiles.class.getClassLoader(), resource);
  }
}
