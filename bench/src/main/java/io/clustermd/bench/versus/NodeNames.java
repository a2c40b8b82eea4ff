package io.clustermd.bench.versus;

/** Node labels in results are 1-based ({@code n1}), as the issue numbers nodes; indexes are 0-based. */
final class NodeNames {

  private NodeNames() {}

  static String of(int index) {
    return "n" + (index + 1);
  }
}
