package io.clustermd.cli;

/** Exit codes as mdadm uses them. */
public final class ExitCode {

  private ExitCode() {}

  /** Success. */
  public static final int OK = 0;
  /** The operation failed on a device: no superblock, no bitmap, unreadable. */
  public static final int FAILURE = 1;
  /** The command line was wrong (picocli's usage-error code agrees). */
  public static final int USAGE = 2;
}
