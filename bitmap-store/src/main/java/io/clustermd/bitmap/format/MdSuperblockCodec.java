package io.clustermd.bitmap.format;

import static io.clustermd.bitmap.format.MdSuperblockLayout.*;

/**
 * Encodes and decodes {@link MdSuperblock} at the offsets of {@link MdSuperblockLayout}. Decoding
 * only parses (as mdadm's {@code --examine} does, which shows a bad checksum rather than refusing);
 * {@link SuperblockValidator} decides whether a member may be trusted.
 */
public final class MdSuperblockCodec {

  private MdSuperblockCodec() {}

  static final String STRUCTURE = "md superblock";

  /** A parsed superblock with what the validator needs besides the fields. */
  public record Decoded(
      MdSuperblock superblock, int storedChecksum, int computedChecksum, int pad0, boolean pad3Zero) {

    public boolean checksumCorrect() {
      return storedChecksum == computedChecksum;
    }
  }

  /**
   * Encodes to the bytes the kernel writes: {@code 256 + 2 * max_dev} rounded up to a sector,
   * with a freshly computed {@code sb_csum} and zero pads.
   */
  public static byte[] encode(MdSuperblock s) {
    if (s.maxDev() > MAX_DEV_LIMIT) {
      throw new IllegalArgumentException("max_dev " + s.maxDev() + " > " + MAX_DEV_LIMIT);
    }
    byte[] b = new byte[onDiskBytes(s.maxDev())];
    Le.putInt(b, MAGIC, s.magic());
    Le.putInt(b, MAJOR_VERSION, s.majorVersion());
    Le.putInt(b, FEATURE_MAP, s.featureMap());
    Le.putInt(b, PAD0, 0);
    System.arraycopy(s.setUuid().toBytes(), 0, b, SET_UUID, Uuid16.BYTES);
    System.arraycopy(s.setName().toBytes(), 0, b, SET_NAME, SET_NAME_BYTES);
    Le.putLong(b, CTIME, s.ctime());
    Le.putInt(b, LEVEL, s.level());
    Le.putInt(b, LAYOUT, s.layout());
    Le.putLong(b, SIZE, s.size());
    Le.putInt(b, CHUNKSIZE, s.chunksize());
    Le.putInt(b, RAID_DISKS, s.raidDisks());
    Le.putInt(b, BITMAP_OFFSET, s.bitmapOffset());
    Le.putInt(b, NEW_LEVEL, s.newLevel());
    Le.putLong(b, RESHAPE_POSITION, s.reshapePosition());
    Le.putInt(b, DELTA_DISKS, s.deltaDisks());
    Le.putInt(b, NEW_LAYOUT, s.newLayout());
    Le.putInt(b, NEW_CHUNK, s.newChunk());
    Le.putInt(b, NEW_OFFSET, s.newOffset());
    Le.putLong(b, DATA_OFFSET, s.dataOffset());
    Le.putLong(b, DATA_SIZE, s.dataSize());
    Le.putLong(b, SUPER_OFFSET, s.superOffset());
    Le.putLong(b, RECOVERY_OFFSET, s.recoveryOffset());
    Le.putInt(b, DEV_NUMBER, s.devNumber());
    Le.putInt(b, CNT_CORRECTED_READ, s.cntCorrectedRead());
    System.arraycopy(s.deviceUuid().toBytes(), 0, b, DEVICE_UUID, Uuid16.BYTES);
    b[DEVFLAGS] = (byte) s.devflags();
    b[BBLOG_SHIFT] = (byte) s.bblogShift();
    Le.putShort(b, BBLOG_SIZE, s.bblogSize());
    Le.putInt(b, BBLOG_OFFSET, s.bblogOffset());
    Le.putLong(b, UTIME, s.utime());
    Le.putLong(b, EVENTS, s.events());
    Le.putLong(b, RESYNC_OFFSET, s.resyncOffset());
    Le.putInt(b, MAX_DEV, s.maxDev());
    int[] roles = s.devRoles().toArray();
    for (int i = 0; i < roles.length; i++) {
      Le.putShort(b, DEV_ROLES + 2 * i, roles[i]);
    }
    Le.putInt(b, SB_CSUM, SuperblockChecksum.compute(b, s.maxDev()));
    return b;
  }

  /**
   * Parses a superblock from {@code block}, which starts at the superblock and holds at least its
   * fixed part and {@code dev_roles}.
   *
   * @throws MetadataException if {@code max_dev} is beyond the kernel's limit or the block is too
   *     short to hold what {@code max_dev} announces (nothing else can be parsed then)
   */
  public static Decoded decode(byte[] block) {
    if (block.length < FIXED_BYTES) {
      throw new MetadataException(
          STRUCTURE, "device_size", block.length + " bytes after the superblock offset",
          "at least " + FIXED_BYTES + " bytes are needed for the superblock");
    }
    int maxDev = Le.getInt(block, MAX_DEV);
    if (maxDev < 0 || maxDev > MAX_DEV_LIMIT) {
      throw new MetadataException(STRUCTURE, "max_dev", maxDev, "must be <= " + MAX_DEV_LIMIT);
    }
    if (block.length < checksummedBytes(maxDev)) {
      throw new MetadataException(
          STRUCTURE, "max_dev", maxDev,
          "dev_roles needs " + checksummedBytes(maxDev) + " bytes but only " + block.length
              + " were readable");
    }
    int[] roles = new int[maxDev];
    for (int i = 0; i < maxDev; i++) {
      roles[i] = Le.getShort(block, DEV_ROLES + 2 * i) & 0xffff;
    }
    MdSuperblock sb =
        new MdSuperblock(
            Le.getInt(block, MAGIC),
            Le.getInt(block, MAJOR_VERSION),
            Le.getInt(block, FEATURE_MAP),
            Uuid16.of(Le.slice(block, SET_UUID, Uuid16.BYTES)),
            FixedString.ofRaw(Le.slice(block, SET_NAME, SET_NAME_BYTES)),
            Le.getLong(block, CTIME),
            Le.getInt(block, LEVEL),
            Le.getInt(block, LAYOUT),
            Le.getLong(block, SIZE),
            Le.getInt(block, CHUNKSIZE),
            Le.getInt(block, RAID_DISKS),
            Le.getInt(block, BITMAP_OFFSET),
            Le.getInt(block, NEW_LEVEL),
            Le.getLong(block, RESHAPE_POSITION),
            Le.getInt(block, DELTA_DISKS),
            Le.getInt(block, NEW_LAYOUT),
            Le.getInt(block, NEW_CHUNK),
            Le.getInt(block, NEW_OFFSET),
            Le.getLong(block, DATA_OFFSET),
            Le.getLong(block, DATA_SIZE),
            Le.getLong(block, SUPER_OFFSET),
            Le.getLong(block, RECOVERY_OFFSET),
            Le.getInt(block, DEV_NUMBER),
            Le.getInt(block, CNT_CORRECTED_READ),
            Uuid16.of(Le.slice(block, DEVICE_UUID, Uuid16.BYTES)),
            block[DEVFLAGS] & 0xff,
            block[BBLOG_SHIFT] & 0xff,
            Le.getShort(block, BBLOG_SIZE) & 0xffff,
            Le.getInt(block, BBLOG_OFFSET),
            Le.getLong(block, UTIME),
            Le.getLong(block, EVENTS),
            Le.getLong(block, RESYNC_OFFSET),
            DevRoles.of(roles));
    return new Decoded(
        sb,
        Le.getInt(block, SB_CSUM),
        SuperblockChecksum.compute(block, maxDev),
        Le.getInt(block, PAD0),
        Le.allZero(block, PAD3, PAD3_BYTES));
  }
}
