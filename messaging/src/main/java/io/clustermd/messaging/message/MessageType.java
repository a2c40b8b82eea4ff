package io.clustermd.messaging.message;

/**
 * The md-cluster message types with the kernel's numbers ({@code enum msg_type}, mdcluster.md
 * §3.2). "Add new types at the end for compatibility": a node refuses a number it does not know.
 */
public enum MessageType {
  /** Re-read the superblock from a named good member. */
  METADATA_UPDATED(0),
  /** The sender's resync window moved, or (0,0): its resync finished. */
  RESYNCING(1),
  /** A new device is being added: find it and confirm or refuse. */
  NEWDISK(2),
  /** Kick a member. */
  REMOVE(3),
  /** Clear Faulty on a member. */
  RE_ADD(4),
  /** The sender leaves with a dirty bitmap; another node must recover its slot. */
  BITMAP_NEEDS_SYNC(5),
  /** The array size changed. */
  CHANGE_CAPACITY(6),
  /** Resize the bitmap (RAID10 reshape). */
  BITMAP_RESIZE(7),
  /** The sender took the {@code resync} lock and starts syncing. */
  RESYNCING_START(8);

  /**
   * The protobuf oneof field number of a type is this plus its kernel number, so that the wire
   * keeps the kernel's numbering visible (mdcluster.proto).
   */
  public static final int FIELD_NUMBER_BASE = 16;

  private final int kernelNumber;

  MessageType(int kernelNumber) {
    this.kernelNumber = kernelNumber;
  }

  /** The value of {@code cmsg.type} in the kernel. */
  public int kernelNumber() {
    return kernelNumber;
  }

  public int fieldNumber() {
    return FIELD_NUMBER_BASE + kernelNumber;
  }
}
