package io.clustermd.bitmap.format;

/**
 * A 0-based md bitmap slot: slot {@code k} owns the k-th per-node bitmap area of every member
 * (mdcluster.md §6.4). The DLM numbers its slots from 1; {@link #toDlmSlotNumber()} and {@link
 * #fromDlmSlotNumber(int)} are the only place where the two numberings meet (CONVENTIONS.md §5).
 *
 * @param value the 0-based slot number, {@code 0 <= value < nodes}
 */
public record MdSlot(int value) implements Comparable<MdSlot> {

  /** The largest number of slots a member can describe: {@code nodes} is a 32-bit field. */
  public static final int MAX_SLOTS = 1 << 16;

  public MdSlot {
    if (value < 0 || value >= MAX_SLOTS) {
      throw new IllegalArgumentException("md slot must be in [0, " + MAX_SLOTS + "): " + value);
    }
  }

  public static MdSlot of(int value) {
    return new MdSlot(value);
  }

  /** The 1-based slot number the DLM hands out for this md slot (md-cluster: {@code slot - 1}). */
  public int toDlmSlotNumber() {
    return value + 1;
  }

  /** The md slot of a 1-based DLM slot number; md-cluster uses {@code dlm_slot - 1}. */
  public static MdSlot fromDlmSlotNumber(int dlmSlotNumber) {
    if (dlmSlotNumber < 1) {
      throw new IllegalArgumentException("DLM slot numbers start at 1: " + dlmSlotNumber);
    }
    return new MdSlot(dlmSlotNumber - 1);
  }

  @Override
  public int compareTo(MdSlot other) {
    return Integer.compare(value, other.value);
  }

  @Override
  public String toString() {
    return "slot" + value;
  }
}
