package io.clustermd.bitmap.format;

/**
 * Byte offsets of {@code bitmap_super_t} (Linux {@code md-bitmap.h}, mdadm {@code bitmap.h};
 * mdcluster.md §6.3). 256 bytes, little-endian. Each clustered slot area starts with one.
 *
 * <pre>
 * offset | size | field
 * -------+------+---------------------------------------------------------------
 *      0 |    4 | magic = 0x6d746962 ("bitm")
 *      4 |    4 | version (4 = little-endian, 5 = clustered)
 *      8 |   16 | uuid (= the array's set_uuid)
 *     24 |    8 | events
 *     32 |    8 | events_cleared
 *     40 |    8 | sync_size (sectors covered)
 *     48 |    4 | state (bit 1 STALE, bit 2 WRITE_ERROR, bit 15 HOSTENDIAN)
 *     52 |    4 | chunksize (bytes, power of two, >= 512)
 *     56 |    4 | daemon_sleep (seconds)
 *     60 |    4 | write_behind
 *     64 |    4 | sectors_reserved
 *     68 |    4 | nodes
 *     72 |   64 | cluster_name (NUL-terminated)
 *    136 |  120 | pad (0)
 * </pre>
 */
public final class BitmapSuperblockLayout {

  private BitmapSuperblockLayout() {}

  public static final int MAGIC = 0;
  public static final int VERSION = 4;
  public static final int UUID = 8;
  public static final int EVENTS = 24;
  public static final int EVENTS_CLEARED = 32;
  public static final int SYNC_SIZE = 40;
  public static final int STATE = 48;
  public static final int CHUNKSIZE = 52;
  public static final int DAEMON_SLEEP = 56;
  public static final int WRITE_BEHIND = 60;
  public static final int SECTORS_RESERVED = 64;
  public static final int NODES = 68;
  public static final int CLUSTER_NAME = 72;
  public static final int PAD = 136;

  public static final int CLUSTER_NAME_BYTES = 64;
  public static final int PAD_BYTES = 120;

  /** {@code sizeof(bitmap_super_t)}: the bits start right after it. */
  public static final int BYTES = 256;

  /** BITMAP_MAGIC, "bitm" little-endian. */
  public static final int BITMAP_MAGIC = 0x6d746962;

  /** BITMAP_MAJOR_LO: version 3 (host-endian, identical to 4 on little-endian hosts). */
  public static final int VERSION_LO = 3;
  /** BITMAP_MAJOR_HI: version 4, little-endian. */
  public static final int VERSION_HI = 4;
  /** BITMAP_MAJOR_CLUSTERED: version 5, one bitmap per node. */
  public static final int VERSION_CLUSTERED = 5;

  /** {@code state} bit: the bitmap is out of date (BITMAP_STALE). */
  public static final int STATE_STALE = 1 << 1;
  /** {@code state} bit: a write to the bitmap failed (BITMAP_WRITE_ERROR). */
  public static final int STATE_WRITE_ERROR = 1 << 2;
  /** {@code state} bit: the bitmap is host-endian (BITMAP_HOSTENDIAN). */
  public static final int STATE_HOSTENDIAN = 1 << 15;

  /** COUNTER_MAX: the kernel refuses a larger write_behind. */
  public static final int WRITE_BEHIND_MAX = 16383;
}
