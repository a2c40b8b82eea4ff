package io.clustermd.dlm.core.cluster;

/** A member and its lockspace slot, numbered from 1 (dlm.md §9.4, {@code struct dlm_slot}). */
public record Slot(NodeId node, int slot) {
  public Slot {
    if (slot < 1) {
      throw new IllegalArgumentException("DLM slots start at 1, not " + slot);
    }
  }
}
