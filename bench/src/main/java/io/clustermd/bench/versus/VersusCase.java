package io.clustermd.bench.versus;

import java.util.Locale;

/**
 * The three cases of issue 3's side-by-side benchmark, with their targets for clustermd, and the
 * bare transport round trip that (b)'s target is counted in.
 */
public enum VersusCase {
  /** (a) Uncontended lock(EX)+unlock, repeatedly on one name, on the node that masters it. */
  LOCAL_MASTER("a", "uncontended lock+unlock, local master", "p50 < 50 µs"),
  /** (b) The same, measured on a node while another node masters the name. */
  REMOTE_MASTER("b", "uncontended lock+unlock, remote master",
      "p50 < 1.5 round trips (r) and >= 3x faster than zookeeper"),
  /**
   * (r) The unit of (b)'s target, "1.5 Akka round trips": one message n1 to n2 and back, on the
   * same cluster, with no lock service code on the path. Only backends with such a transport.
   */
  TRANSPORT_ROUND_TRIP("r", "bare Akka round trip n1 -> n2 -> n1", "none: the unit of (b)'s target"),
  /** (c) Three nodes, one thread each, lock(EX)/unlock one name in a loop; lock transfers/s. */
  CONTENDED_HANDOFF("c", "contended EX handoff, 3 nodes", ">= 2x zookeeper's handoff rate");

  private final String letter;
  private final String title;
  private final String target;

  VersusCase(String letter, String title, String target) {
    this.letter = letter;
    this.title = title;
    this.target = target;
  }

  public String letter() {
    return letter;
  }

  /** {@code (a) uncontended lock+unlock, local master}. */
  public String label() {
    return "(" + letter + ") " + title;
  }

  /** The target for the distributed clustermd backend. */
  public String target() {
    return target;
  }

  /** The case for {@code a}, {@code b}, {@code c} or {@code r}. */
  public static VersusCase fromLetter(String letter) {
    String l = letter.trim().toLowerCase(Locale.ROOT);
    for (VersusCase c : values()) {
      if (c.letter.equals(l)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown case '" + letter + "'; use a, b, c or r");
  }
}
