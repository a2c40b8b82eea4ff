package io.clustermd.bitmap.intent;

/**
 * What one {@link WriteIntentBitmap#daemonTick} did, with its reason, for the shell to log once.
 *
 * @param swept whether a sweep ran (false: the period had not elapsed)
 * @param clearedChunks bits cleared because their chunks stayed idle through two sweeps
 * @param sectorsWritten bitmap sectors written (one flush covers them all)
 * @param nextDueNanos when the next sweep is due, on the caller's clock
 * @param reason why: "not-due", "idle-chunks-cleared", "nothing-to-clear", ...
 */
public record DaemonReport(
    boolean swept, long clearedChunks, long sectorsWritten, long nextDueNanos, String reason) {}
