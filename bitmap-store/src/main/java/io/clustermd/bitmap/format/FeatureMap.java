package io.clustermd.bitmap.format;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code feature_map} bits of an md v1 superblock (Linux {@code md_p.h}; mdcluster.md §6.2).
 * The kernel refuses a member with any bit outside {@link #ALL_KNOWN}.
 */
public final class FeatureMap {

  private FeatureMap() {}

  public static final int BITMAP_OFFSET = 1;
  public static final int RECOVERY_OFFSET = 2;
  public static final int RESHAPE_ACTIVE = 4;
  public static final int BAD_BLOCKS = 8;
  public static final int REPLACEMENT = 16;
  public static final int RESHAPE_BACKWARDS = 32;
  public static final int NEW_OFFSET = 64;
  public static final int RECOVERY_BITMAP = 128;
  /** Set on clustered arrays so that kernels without md-cluster refuse them (mdadm 6d9c7c25). */
  public static final int CLUSTERED = 256;
  public static final int JOURNAL = 512;
  public static final int PPL = 1024;
  public static final int MULTIPLE_PPLS = 2048;
  public static final int RAID0_LAYOUT = 4096;

  /** Bit, name: the table mdadm and the kernel share. */
  private static final Object[][] NAMES = {
    {BITMAP_OFFSET, "BITMAP_OFFSET"},
    {RECOVERY_OFFSET, "RECOVERY_OFFSET"},
    {RESHAPE_ACTIVE, "RESHAPE_ACTIVE"},
    {BAD_BLOCKS, "BAD_BLOCKS"},
    {REPLACEMENT, "REPLACEMENT"},
    {RESHAPE_BACKWARDS, "RESHAPE_BACKWARDS"},
    {NEW_OFFSET, "NEW_OFFSET"},
    {RECOVERY_BITMAP, "RECOVERY_BITMAP"},
    {CLUSTERED, "CLUSTERED"},
    {JOURNAL, "JOURNAL"},
    {PPL, "PPL"},
    {MULTIPLE_PPLS, "MULTIPLE_PPLS"},
    {RAID0_LAYOUT, "RAID0_LAYOUT"},
  };

  /** Every bit the kernel knows ({@code MD_FEATURE_ALL}). */
  public static final int ALL_KNOWN = allKnown();

  private static int allKnown() {
    int all = 0;
    for (Object[] row : NAMES) {
      all |= (Integer) row[0];
    }
    return all;
  }

  public static boolean has(int featureMap, int bit) {
    return (featureMap & bit) != 0;
  }

  /** The names of the bits set, unknown bits as hex. */
  public static List<String> names(int featureMap) {
    List<String> out = new ArrayList<>();
    for (Object[] row : NAMES) {
      if ((featureMap & (Integer) row[0]) != 0) {
        out.add((String) row[1]);
      }
    }
    int unknown = featureMap & ~ALL_KNOWN;
    if (unknown != 0) {
      out.add("unknown 0x" + Integer.toHexString(unknown));
    }
    return out;
  }
}
