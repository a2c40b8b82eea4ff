package io.clustermd.dlm.core.cluster;

/**
 * A lockspace member: its stable name (an Akka address, or "n3" in the simulator) and its
 * incarnation (the Akka member uid; a restarted node is a new incarnation and a different member).
 * Members are sorted by name, then incarnation, as fs/dlm sorts node ids (dlm.md §11.1).
 */
public record NodeId(String name, long incarnation) implements Comparable<NodeId> {

  public NodeId {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("node name is empty");
    }
  }

  @Override
  public int compareTo(NodeId o) {
    int c = name.compareTo(o.name);
    return c != 0 ? c : Long.compare(incarnation, o.incarnation);
  }

  @Override
  public String toString() {
    return name + "#" + incarnation;
  }
}
