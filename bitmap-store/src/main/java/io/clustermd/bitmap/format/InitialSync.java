package io.clustermd.bitmap.format;

/** Whether a new array must be resynchronised before its mirrors may be trusted to agree. */
public enum InitialSync {
  /**
   * The mirrors' contents are unknown: {@code resync_offset = 0} and slot 0's bits all set, so
   * that the first node to assemble resyncs everything (mdadm's default).
   */
  NEEDS_RESYNC,
  /**
   * The caller guarantees identical mirrors ({@code --assume-clean}): {@code resync_offset =
   * MaxSector} and every slot clean.
   */
  ASSUME_CLEAN
}
