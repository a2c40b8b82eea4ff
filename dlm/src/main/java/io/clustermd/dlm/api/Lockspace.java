package io.clustermd.dlm.api;

/**
 * A named lock namespace with a fixed LVB length (dlm.md §2, §9), as libdlm's
 * {@code dlm_ls_lock}/{@code dlm_ls_unlock} present it: asynchronous, with completions delivered
 * as {@link java.util.concurrent.CompletionStage}s and blocking callbacks through a
 * {@link BlockingHandler}.
 */
public interface Lockspace extends AutoCloseable {

  /** Longest lockspace name in bytes ({@code DLM_LOCKSPACE_LEN}). */
  int MAX_NAME_LENGTH = 64;

  String name();

  /** The LVB length every lock of this lockspace uses; a multiple of 8. */
  int lvbLength();

  /**
   * A new request.
   *
   * @throws DlmException when the request is refused (bad flags, wrong LVB length, …)
   */
  DlmLock lock(LockRequest request);

  /** Leaves the lockspace; outstanding operations fail with {@link DlmException}. */
  @Override
  void close();
}
