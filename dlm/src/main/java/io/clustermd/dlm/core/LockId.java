package io.clustermd.dlm.core;

/** A lock's identity within one resource's core; never zero (fs/dlm lock ids start at 1). */
public record LockId(long value) {
  public LockId {
    if (value == 0) {
      throw new IllegalArgumentException("lock id 0 is reserved");
    }
  }

  @Override
  public String toString() {
    return Long.toHexString(value);
  }
}
