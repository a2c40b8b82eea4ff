package io.clustermd.dlm.core;

/**
 * The six DLM lock modes, in fs/dlm's numeric order (dlm.md §1). The numeric order is a strength
 * order except between PR and CW, which are incomparable: PR↔CW conversions are "middle"
 * conversions, neither up nor down.
 */
public enum LockMode {
  /** Null: holds nothing, keeps the resource (and its LVB) alive and receives basts for nothing. */
  NL(0),
  /** Concurrent read. */
  CR(1),
  /** Concurrent write. */
  CW(2),
  /** Protected read. */
  PR(3),
  /** Protected write: the weaker of the two modes that may write the LVB. */
  PW(4),
  /** Exclusive. */
  EX(5);

  private static final LockMode[] BY_VALUE = values();

  private final int value;

  LockMode(int value) {
    this.value = value;
  }

  /** The fs/dlm constant (DLM_LOCK_NL = 0 … DLM_LOCK_EX = 5). */
  public int value() {
    return value;
  }

  public static LockMode ofValue(int value) {
    if (value < 0 || value >= BY_VALUE.length) {
      throw new IllegalArgumentException("lock mode value " + value + " is not in [0,5]");
    }
    return BY_VALUE[value];
  }

  /** True when a lock held in {@code this} mode lets another be granted in {@code requested}. */
  public boolean compatibleWith(LockMode requested) {
    return ModeTables.compatible(this, requested);
  }

  /**
   * A down-conversion to {@code to}: strictly weaker, and not a PR↔CW middle conversion
   * (fs/dlm {@code down_conversion}).
   */
  public boolean isDownConversionTo(LockMode to) {
    return to.value < value && !isMiddleConversionTo(to);
  }

  /** PR→CW or CW→PR (fs/dlm {@code middle_conversion}). */
  public boolean isMiddleConversionTo(LockMode to) {
    return (this == PR && to == CW) || (this == CW && to == PR);
  }
}
