package io.clustermd.dlm.core;

import java.util.ArrayList;
import java.util.List;

/** An immutable set of {@link LockFlag}s, held as the kernel's bit mask. */
public final class LockFlags {

  public static final LockFlags NONE = new LockFlags(0);

  private static final int KNOWN;

  static {
    int known = 0;
    for (LockFlag f : LockFlag.values()) {
      known |= f.bit();
    }
    KNOWN = known;
  }

  private final int bits;

  private LockFlags(int bits) {
    this.bits = bits;
  }

  public static LockFlags of(LockFlag... flags) {
    int bits = 0;
    for (LockFlag f : flags) {
      bits |= f.bit();
    }
    return bits == 0 ? NONE : new LockFlags(bits);
  }

  /**
   * Flags from a wire or user bit mask.
   *
   * @throws IllegalArgumentException naming the unknown bits
   */
  public static LockFlags ofBits(int bits) {
    if ((bits & ~KNOWN) != 0) {
      throw new IllegalArgumentException(
          String.format("unknown lock flag bits 0x%08x in 0x%08x", bits & ~KNOWN, bits));
    }
    return bits == 0 ? NONE : new LockFlags(bits);
  }

  public int bits() {
    return bits;
  }

  public boolean has(LockFlag flag) {
    return (bits & flag.bit()) != 0;
  }

  public LockFlags with(LockFlag flag) {
    return new LockFlags(bits | flag.bit());
  }

  public LockFlags without(LockFlag flag) {
    return (bits & flag.bit()) == 0 ? this : new LockFlags(bits & ~flag.bit());
  }

  /** True when no flag outside {@code allowed} is set. */
  boolean onlyFrom(LockFlag... allowed) {
    int mask = 0;
    for (LockFlag f : allowed) {
      mask |= f.bit();
    }
    return (bits & ~mask) == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LockFlags other && other.bits == bits;
  }

  @Override
  public int hashCode() {
    return bits;
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    for (LockFlag f : LockFlag.values()) {
      if (has(f)) {
        names.add(f.name());
      }
    }
    return names.isEmpty() ? "[]" : names.toString();
  }
}
