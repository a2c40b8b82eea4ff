package io.clustermd.dlm.core;

/** Status-block flags a completion may carry ({@code DLM_SBF_*}, dlm.md §5.1). */
public enum SbFlag {
  /** CONVDEADLK demoted the lock to NL before the conversion was granted. */
  DEMOTED(0x01),
  /** The LVB may be stale: a PW/EX holder invalidated it or died, and nobody wrote it since. */
  VALNOTVALID(0x02),
  /** ALTPR or ALTCW: granted in the alternate mode, not the requested one. */
  ALTMODE(0x04);

  private final int bit;

  SbFlag(int bit) {
    this.bit = bit;
  }

  public int bit() {
    return bit;
  }

  /** True when {@code flag} is set in the {@code sb_flags} byte {@code sbFlags}. */
  public static boolean isSet(int sbFlags, SbFlag flag) {
    return (sbFlags & flag.bit) != 0;
  }

  public static String describe(int sbFlags) {
    StringBuilder sb = new StringBuilder("[");
    for (SbFlag f : values()) {
      if (isSet(sbFlags, f)) {
        sb.append(sb.length() > 1 ? "," : "").append(f.name());
      }
    }
    return sb.append(']').toString();
  }
}
