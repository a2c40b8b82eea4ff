package io.clustermd.dlm.core;

/**
 * The callback layer's suppression of redundant blocking callbacks for one lock (dlm.md §5.2, last
 * bullet; fs/dlm {@code dlm_may_skip_callback}). It sits on the holder's side: the master decides
 * who is basted ({@link LockResource}), this filter drops basts the holder need not see.
 */
public final class CallbackFilter {

  private static final int NONE = -1;

  /** Mode of the last completion ({@code lkb_last_cast_cb_mode}); NONE before the first. */
  private int lastCompletionMode = NONE;
  /** Mode of the last callback of either kind; NONE before the first. */
  private int lastCallbackMode = NONE;
  private boolean lastCallbackWasBlocking;

  /** Records a completion; {@code modeAfter} is null when the lock is gone. */
  public void completed(LockMode modeAfter) {
    lastCompletionMode = modeAfter == null ? NONE : modeAfter.value();
    lastCallbackMode = lastCompletionMode;
    lastCallbackWasBlocking = false;
  }

  /**
   * Decides whether a blocking callback for {@code mode} is delivered, and records it if so.
   *
   * @return false when the bast is redundant: the mode is compatible with what the last completion
   *     granted, or the previous callback was a bast for the same or a stronger (above PR) mode
   */
  public boolean admitBlocking(LockMode mode) {
    if (lastCompletionMode != NONE && ModeTables.compatible(LockMode.ofValue(lastCompletionMode), mode)) {
      return false;
    }
    if (lastCallbackMode != NONE && lastCallbackWasBlocking) {
      int prev = lastCallbackMode;
      if (prev == mode.value() || (prev > mode.value() && prev > LockMode.PR.value())) {
        return false;
      }
    }
    lastCallbackMode = mode.value();
    lastCallbackWasBlocking = true;
    return true;
  }
}
