package io.clustermd.dlm.core;

/**
 * The three mode tables of fs/dlm, as literals (dlm.md §1.1–§1.3). Rows and columns are in
 * {@link LockMode} order; the LVB table has an extra first row for "new request" (granted mode IV).
 */
final class ModeTables {

  private ModeTables() {}

  /** dlm.md §1.1, {@code __dlm_compat_matrix}: granted (row) × requested (column). */
  private static final boolean[][] COMPATIBLE = {
    //          NL     CR     CW     PR     PW     EX
    /* NL */ {true, true, true, true, true, true},
    /* CR */ {true, true, true, true, true, false},
    /* CW */ {true, true, true, false, false, false},
    /* PR */ {true, true, false, true, false, false},
    /* PW */ {true, true, false, false, false, false},
    /* EX */ {true, false, false, false, false, false},
  };

  /** dlm.md §1.2, {@code __quecvt_compat_matrix}: conversions allowed with QUECVT. */
  private static final boolean[][] QUECVT_ALLOWED = {
    //          NL     CR     CW     PR     PW     EX
    /* NL */ {false, true, true, true, true, true},
    /* CR */ {false, false, true, true, true, true},
    /* CW */ {false, false, false, true, true, true},
    /* PR */ {false, false, true, false, true, true},
    /* PW */ {false, false, false, false, false, true},
    /* EX */ {false, false, false, false, false, false},
  };

  /** What a grant does with the lock value block (dlm.md §1.3, {@code dlm_lvb_operations}). */
  enum LvbOp {
    /** The resource's LVB is copied to the caller. */
    READ,
    /** The caller's LVB is written to the resource. */
    WRITE,
    /** Untouched. */
    NONE
  }

  private static final LvbOp R = LvbOp.READ;
  private static final LvbOp W = LvbOp.WRITE;
  private static final LvbOp N = LvbOp.NONE;

  /** dlm.md §1.3: current granted mode (row; "new" = not yet granted) × requested mode (column). */
  private static final LvbOp[][] LVB_OPS = {
    //           NL CR CW PR PW EX
    /* new */ {R, R, R, R, R, R},
    /* NL  */ {R, R, R, R, R, R},
    /* CR  */ {N, R, R, R, R, R},
    /* CW  */ {N, N, R, R, R, R},
    /* PR  */ {N, N, N, R, R, R},
    /* PW  */ {W, W, W, W, W, R},
    /* EX  */ {W, W, W, W, W, W},
  };

  /** Compatibility of a granted mode with a requested one; a lock not granted (null) blocks nothing. */
  static boolean compatible(LockMode granted, LockMode requested) {
    if (granted == null || requested == null) {
      return true;
    }
    return COMPATIBLE[granted.ordinal()][requested.ordinal()];
  }

  static boolean quecvtAllowed(LockMode granted, LockMode requested) {
    return QUECVT_ALLOWED[granted.ordinal()][requested.ordinal()];
  }

  /** The LVB action of a grant from {@code granted} (null for a new request) to {@code requested}. */
  static LvbOp lvbOp(LockMode granted, LockMode requested) {
    return LVB_OPS[granted == null ? 0 : granted.ordinal() + 1][requested.ordinal()];
  }
}
