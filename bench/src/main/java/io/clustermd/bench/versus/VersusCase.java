package io.clustermd.bench.versus;

import java.util.Locale;

/** The three cases of issue 3's side-by-side benchmark, with their targets for clustermd. */
public enum VersusCase {
  /** (a) Uncontended lock(EX)+unlock, repeatedly on one name, on the node that masters it. */
  LOCAL_MASTER("a", "uncontended lock+unlock, local master", "p50 < 50 µs"),
  /** (b) The same, measured on a node while another node masters the name. */
  REMOTE_MASTER("b", "uncontended lock+unlock, remote master", "p50 < 0.4 ms and >= 3x faster than zookeeper"),
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

  /** The case for {@code a}, {@code b} or {@code c}. */
  public static VersusCase fromLetter(String letter) {
    String l = letter.trim().toLowerCase(Locale.ROOT);
    for (VersusCase c : values()) {
      if (c.letter.equals(l)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown case '" + letter + "'; use a, b or c");
  }
}
