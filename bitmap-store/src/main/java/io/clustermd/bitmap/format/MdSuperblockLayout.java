package io.clustermd.bitmap.format;

/**
 * Byte offsets of {@code struct mdp_superblock_1} (Linux {@code include/uapi/linux/raid/md_p.h};
 * mdcluster.md §6.2). All fields are little-endian. mdadm's {@code calc_sb_1_csum} asserts
 * {@code data_offset} at 128, {@code utime} at 192 and a 256-byte fixed part.
 *
 * <pre>
 * offset | size | field
 * -------+------+----------------------------------------------------------------
 *      0 |    4 | magic = 0xa92b4efc
 *      4 |    4 | major_version = 1
 *      8 |    4 | feature_map
 *     12 |    4 | pad0 (must be 0)
 *     16 |   16 | set_uuid
 *     32 |   32 | set_name
 *     64 |    8 | ctime (low 40 bits seconds, high 24 bits microseconds)
 *     72 |    4 | level
 *     76 |    4 | layout
 *     80 |    8 | size (sectors of each member used by the array)
 *     88 |    4 | chunksize (sectors)
 *     92 |    4 | raid_disks
 *     96 |    4 | bitmap_offset (signed sectors from the superblock) / ppl {s16 offset, u16 size}
 *    100 |    4 | new_level
 *    104 |    8 | reshape_position
 *    112 |    4 | delta_disks
 *    116 |    4 | new_layout
 *    120 |    4 | new_chunk
 *    124 |    4 | new_offset (signed)
 *    128 |    8 | data_offset (sectors)
 *    136 |    8 | data_size (sectors)
 *    144 |    8 | super_offset (sectors; 8 for v1.2)
 *    152 |    8 | recovery_offset / journal_tail
 *    160 |    4 | dev_number (index into dev_roles)
 *    164 |    4 | cnt_corrected_read
 *    168 |   16 | device_uuid
 *    184 |    1 | devflags (1 WriteMostly, 2 FailFast)
 *    185 |    1 | bblog_shift
 *    186 |    2 | bblog_size
 *    188 |    4 | bblog_offset (signed)
 *    192 |    8 | utime
 *    200 |    8 | events
 *    208 |    8 | resync_offset (all ones = clean)
 *    216 |    4 | sb_csum
 *    220 |    4 | max_dev (entries in dev_roles, at most 1920)
 *    224 |   32 | pad3 (must be 0)
 *    256 | 2*max_dev | dev_roles[] (LE16)
 * </pre>
 */
public final class MdSuperblockLayout {

  private MdSuperblockLayout() {}

  public static final int MAGIC = 0;
  public static final int MAJOR_VERSION = 4;
  public static final int FEATURE_MAP = 8;
  public static final int PAD0 = 12;
  public static final int SET_UUID = 16;
  public static final int SET_NAME = 32;
  public static final int CTIME = 64;
  public static final int LEVEL = 72;
  public static final int LAYOUT = 76;
  public static final int SIZE = 80;
  public static final int CHUNKSIZE = 88;
  public static final int RAID_DISKS = 92;
  public static final int BITMAP_OFFSET = 96;
  public static final int NEW_LEVEL = 100;
  public static final int RESHAPE_POSITION = 104;
  public static final int DELTA_DISKS = 112;
  public static final int NEW_LAYOUT = 116;
  public static final int NEW_CHUNK = 120;
  public static final int NEW_OFFSET = 124;
  public static final int DATA_OFFSET = 128;
  public static final int DATA_SIZE = 136;
  public static final int SUPER_OFFSET = 144;
  public static final int RECOVERY_OFFSET = 152;
  public static final int DEV_NUMBER = 160;
  public static final int CNT_CORRECTED_READ = 164;
  public static final int DEVICE_UUID = 168;
  public static final int DEVFLAGS = 184;
  public static final int BBLOG_SHIFT = 185;
  public static final int BBLOG_SIZE = 186;
  public static final int BBLOG_OFFSET = 188;
  public static final int UTIME = 192;
  public static final int EVENTS = 200;
  public static final int RESYNC_OFFSET = 208;
  public static final int SB_CSUM = 216;
  public static final int MAX_DEV = 220;
  public static final int PAD3 = 224;
  public static final int PAD3_BYTES = 32;
  public static final int DEV_ROLES = 256;

  /** Size of the fixed part; {@code dev_roles} follows. */
  public static final int FIXED_BYTES = 256;

  /** Bytes of {@code set_name}. */
  public static final int SET_NAME_BYTES = 32;

  /** The superblock block mdadm reads and reserves: 4 KiB ({@code MAX_SB_SIZE}). */
  public static final int MAX_SB_BYTES = 4096;

  /** {@code (MAX_SB_SIZE - 256) / 2}: the kernel and mdadm refuse a larger max_dev. */
  public static final int MAX_DEV_LIMIT = (MAX_SB_BYTES - FIXED_BYTES) / 2;

  /** MD_SB_MAGIC. */
  public static final int MD_SB_MAGIC = 0xa92b4efc;

  /** Version 1.2 puts the superblock 4 KiB from the start of the member: sector 8. */
  public static final long V1_2_SUPER_OFFSET_SECTORS = 8;

  /** {@code resync_offset} of a clean array ({@code MaxSector}). */
  public static final long RESYNC_OFFSET_CLEAN = -1L;

  /** Bytes the superblock occupies on disk: the kernel's {@code sb_size}, rounded to a sector. */
  public static int onDiskBytes(int maxDev) {
    int raw = FIXED_BYTES + 2 * maxDev;
    return (raw + SectorRange.SECTOR_BYTES - 1) / SectorRange.SECTOR_BYTES * SectorRange.SECTOR_BYTES;
  }

  /** Bytes the checksum covers: {@code 256 + 2 * max_dev}. */
  public static int checksummedBytes(int maxDev) {
    return FIXED_BYTES + 2 * maxDev;
  }
}
