package io.clustermd.bitmap.format;

import java.util.Objects;

/**
 * An md v1 superblock ({@code struct mdp_superblock_1}, mdcluster.md §6.2), one component per
 * on-disk field in on-disk order. Offsets are in {@link MdSuperblockLayout}; {@link
 * MdSuperblockCodec} encodes and decodes; {@link SuperblockValidator} applies the kernel's rules.
 * The checksum is not a component: it is computed on every encode and reported by decode.
 * Unsigned on-disk values are held in Java's signed types bit for bit.
 */
public record MdSuperblock(
    int magic,
    int majorVersion,
    int featureMap,
    Uuid16 setUuid,
    FixedString setName,
    long ctime,
    int level,
    int layout,
    long size,
    int chunksize,
    int raidDisks,
    int bitmapOffset,
    int newLevel,
    long reshapePosition,
    int deltaDisks,
    int newLayout,
    int newChunk,
    int newOffset,
    long dataOffset,
    long dataSize,
    long superOffset,
    long recoveryOffset,
    int devNumber,
    int cntCorrectedRead,
    Uuid16 deviceUuid,
    int devflags,
    int bblogShift,
    int bblogSize,
    int bblogOffset,
    long utime,
    long events,
    long resyncOffset,
    DevRoles devRoles) {

  public MdSuperblock {
    Objects.requireNonNull(setUuid, "setUuid");
    Objects.requireNonNull(setName, "setName");
    Objects.requireNonNull(deviceUuid, "deviceUuid");
    Objects.requireNonNull(devRoles, "devRoles");
    if (setName.width() != MdSuperblockLayout.SET_NAME_BYTES) {
      throw new IllegalArgumentException("set_name is 32 bytes, got " + setName.width());
    }
    requireU8("devflags", devflags);
    requireU8("bblog_shift", bblogShift);
    if (bblogSize < 0 || bblogSize > 0xffff) {
      throw new IllegalArgumentException("bblog_size is an unsigned 16-bit field: " + bblogSize);
    }
  }

  private static void requireU8(String name, int v) {
    if (v < 0 || v > 0xff) {
      throw new IllegalArgumentException(name + " is an unsigned 8-bit field: " + v);
    }
  }

  /** {@code max_dev}: the number of {@code dev_roles} entries. */
  public int maxDev() {
    return devRoles.maxDev();
  }

  /** This member's role ({@code dev_roles[dev_number]}), or spare if the number is out of range. */
  public int role() {
    return devNumber >= 0 && devNumber < maxDev() ? devRoles.role(devNumber) : DevRoles.SPARE;
  }

  public boolean hasFeature(int bit) {
    return FeatureMap.has(featureMap, bit);
  }

  /** Whether {@code resync_offset} says the whole array is in sync ({@code MaxSector}). */
  public boolean isClean() {
    return resyncOffset == MdSuperblockLayout.RESYNC_OFFSET_CLEAN;
  }

  /** Creation time in seconds since the epoch (low 40 bits of {@code ctime}). */
  public long ctimeSeconds() {
    return ctime & 0xff_ffff_ffffL;
  }

  /** Update time in seconds since the epoch (low 40 bits of {@code utime}). */
  public long utimeSeconds() {
    return utime & 0xff_ffff_ffffL;
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Copy-and-modify for updates; starts from an existing superblock. */
  public static final class Builder {
    private int magic;
    private int majorVersion;
    private int featureMap;
    private Uuid16 setUuid;
    private FixedString setName;
    private long ctime;
    private int level;
    private int layout;
    private long size;
    private int chunksize;
    private int raidDisks;
    private int bitmapOffset;
    private int newLevel;
    private long reshapePosition;
    private int deltaDisks;
    private int newLayout;
    private int newChunk;
    private int newOffset;
    private long dataOffset;
    private long dataSize;
    private long superOffset;
    private long recoveryOffset;
    private int devNumber;
    private int cntCorrectedRead;
    private Uuid16 deviceUuid;
    private int devflags;
    private int bblogShift;
    private int bblogSize;
    private int bblogOffset;
    private long utime;
    private long events;
    private long resyncOffset;
    private DevRoles devRoles;

    /** A builder with the constant fields set and everything else zero. */
    public Builder() {
      magic = MdSuperblockLayout.MD_SB_MAGIC;
      majorVersion = 1;
      setUuid = Uuid16.of(new byte[16]);
      deviceUuid = Uuid16.of(new byte[16]);
      setName = FixedString.ofRaw(new byte[MdSuperblockLayout.SET_NAME_BYTES]);
      devRoles = DevRoles.allSpare(0);
    }

    private Builder(MdSuperblock s) {
      magic = s.magic;
      majorVersion = s.majorVersion;
      featureMap = s.featureMap;
      setUuid = s.setUuid;
      setName = s.setName;
      ctime = s.ctime;
      level = s.level;
      layout = s.layout;
      size = s.size;
      chunksize = s.chunksize;
      raidDisks = s.raidDisks;
      bitmapOffset = s.bitmapOffset;
      newLevel = s.newLevel;
      reshapePosition = s.reshapePosition;
      deltaDisks = s.deltaDisks;
      newLayout = s.newLayout;
      newChunk = s.newChunk;
      newOffset = s.newOffset;
      dataOffset = s.dataOffset;
      dataSize = s.dataSize;
      superOffset = s.superOffset;
      recoveryOffset = s.recoveryOffset;
      devNumber = s.devNumber;
      cntCorrectedRead = s.cntCorrectedRead;
      deviceUuid = s.deviceUuid;
      devflags = s.devflags;
      bblogShift = s.bblogShift;
      bblogSize = s.bblogSize;
      bblogOffset = s.bblogOffset;
      utime = s.utime;
      events = s.events;
      resyncOffset = s.resyncOffset;
      devRoles = s.devRoles;
    }

    public Builder magic(int v) { magic = v; return this; }
    public Builder majorVersion(int v) { majorVersion = v; return this; }
    public Builder featureMap(int v) { featureMap = v; return this; }
    public Builder setUuid(Uuid16 v) { setUuid = v; return this; }
    public Builder setName(FixedString v) { setName = v; return this; }
    public Builder ctime(long v) { ctime = v; return this; }
    public Builder level(int v) { level = v; return this; }
    public Builder layout(int v) { layout = v; return this; }
    public Builder size(long v) { size = v; return this; }
    public Builder chunksize(int v) { chunksize = v; return this; }
    public Builder raidDisks(int v) { raidDisks = v; return this; }
    public Builder bitmapOffset(int v) { bitmapOffset = v; return this; }
    public Builder newLevel(int v) { newLevel = v; return this; }
    public Builder reshapePosition(long v) { reshapePosition = v; return this; }
    public Builder deltaDisks(int v) { deltaDisks = v; return this; }
    public Builder newLayout(int v) { newLayout = v; return this; }
    public Builder newChunk(int v) { newChunk = v; return this; }
    public Builder newOffset(int v) { newOffset = v; return this; }
    public Builder dataOffset(long v) { dataOffset = v; return this; }
    public Builder dataSize(long v) { dataSize = v; return this; }
    public Builder superOffset(long v) { superOffset = v; return this; }
    public Builder recoveryOffset(long v) { recoveryOffset = v; return this; }
    public Builder devNumber(int v) { devNumber = v; return this; }
    public Builder cntCorrectedRead(int v) { cntCorrectedRead = v; return this; }
    public Builder deviceUuid(Uuid16 v) { deviceUuid = v; return this; }
    public Builder devflags(int v) { devflags = v; return this; }
    public Builder bblogShift(int v) { bblogShift = v; return this; }
    public Builder bblogSize(int v) { bblogSize = v; return this; }
    public Builder bblogOffset(int v) { bblogOffset = v; return this; }
    public Builder utime(long v) { utime = v; return this; }
    public Builder events(long v) { events = v; return this; }
    public Builder resyncOffset(long v) { resyncOffset = v; return this; }
    public Builder devRoles(DevRoles v) { devRoles = v; return this; }

    public MdSuperblock build() {
      return new MdSuperblock(
          magic, majorVersion, featureMap, setUuid, setName, ctime, level, layout, size,
          chunksize, raidDisks, bitmapOffset, newLevel, reshapePosition, deltaDisks, newLayout,
          newChunk, newOffset, dataOffset, dataSize, superOffset, recoveryOffset, devNumber,
          cntCorrectedRead, deviceUuid, devflags, bblogShift, bblogSize, bblogOffset, utime,
          events, resyncOffset, devRoles);
    }
  }
}
