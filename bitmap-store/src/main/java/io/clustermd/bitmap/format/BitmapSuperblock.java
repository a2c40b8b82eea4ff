package io.clustermd.bitmap.format;

import java.util.Objects;

/**
 * A bitmap superblock ({@code bitmap_super_t}, mdcluster.md §6.3), one component per field. Offsets
 * are in {@link BitmapSuperblockLayout}. Each slot of a clustered member has its own copy; the
 * kernel rewrites only its own slot's events, events_cleared, state and friends.
 */
public record BitmapSuperblock(
    int magic,
    int version,
    Uuid16 uuid,
    long events,
    long eventsCleared,
    long syncSize,
    int state,
    int chunksize,
    int daemonSleep,
    int writeBehind,
    int sectorsReserved,
    int nodes,
    FixedString clusterName) {

  public BitmapSuperblock {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(clusterName, "clusterName");
    if (clusterName.width() != BitmapSuperblockLayout.CLUSTER_NAME_BYTES) {
      throw new IllegalArgumentException("cluster_name is 64 bytes, got " + clusterName.width());
    }
  }

  /** A clustered (version 5) bitmap superblock as mdadm writes it at create. */
  public static BitmapSuperblock clustered(
      Uuid16 setUuid, long syncSizeSectors, int chunkBytes, int daemonSleepSeconds, int nodes,
      String clusterName) {
    return new BitmapSuperblock(
        BitmapSuperblockLayout.BITMAP_MAGIC,
        BitmapSuperblockLayout.VERSION_CLUSTERED,
        setUuid, 0, 0, syncSizeSectors, 0, chunkBytes, daemonSleepSeconds, 0, 0, nodes,
        FixedString.of(
            clusterName, BitmapSuperblockLayout.CLUSTER_NAME_BYTES,
            FixedString.Termination.NUL_TERMINATED));
  }

  public boolean isClustered() {
    return version == BitmapSuperblockLayout.VERSION_CLUSTERED;
  }

  public boolean isStale() {
    return (state & BitmapSuperblockLayout.STATE_STALE) != 0;
  }

  public BitmapSuperblock withEvents(long newEvents, long newEventsCleared) {
    return new BitmapSuperblock(
        magic, version, uuid, newEvents, newEventsCleared, syncSize, state, chunksize,
        daemonSleep, writeBehind, sectorsReserved, nodes, clusterName);
  }

  public BitmapSuperblock withState(int newState) {
    return new BitmapSuperblock(
        magic, version, uuid, events, eventsCleared, syncSize, newState, chunksize, daemonSleep,
        writeBehind, sectorsReserved, nodes, clusterName);
  }

  /** Encodes to 256 bytes. */
  public byte[] encode() {
    byte[] b = new byte[BitmapSuperblockLayout.BYTES];
    encodeInto(b, 0);
    return b;
  }

  /** Encodes into {@code dst[off .. off+256)}. */
  public void encodeInto(byte[] dst, int off) {
    java.util.Arrays.fill(dst, off, off + BitmapSuperblockLayout.BYTES, (byte) 0);
    Le.putInt(dst, off + BitmapSuperblockLayout.MAGIC, magic);
    Le.putInt(dst, off + BitmapSuperblockLayout.VERSION, version);
    System.arraycopy(uuid.toBytes(), 0, dst, off + BitmapSuperblockLayout.UUID, Uuid16.BYTES);
    Le.putLong(dst, off + BitmapSuperblockLayout.EVENTS, events);
    Le.putLong(dst, off + BitmapSuperblockLayout.EVENTS_CLEARED, eventsCleared);
    Le.putLong(dst, off + BitmapSuperblockLayout.SYNC_SIZE, syncSize);
    Le.putInt(dst, off + BitmapSuperblockLayout.STATE, state);
    Le.putInt(dst, off + BitmapSuperblockLayout.CHUNKSIZE, chunksize);
    Le.putInt(dst, off + BitmapSuperblockLayout.DAEMON_SLEEP, daemonSleep);
    Le.putInt(dst, off + BitmapSuperblockLayout.WRITE_BEHIND, writeBehind);
    Le.putInt(dst, off + BitmapSuperblockLayout.SECTORS_RESERVED, sectorsReserved);
    Le.putInt(dst, off + BitmapSuperblockLayout.NODES, nodes);
    System.arraycopy(
        clusterName.toBytes(), 0, dst, off + BitmapSuperblockLayout.CLUSTER_NAME,
        BitmapSuperblockLayout.CLUSTER_NAME_BYTES);
  }

  /** A parsed bitmap superblock and whether its reserved pad was zero. */
  public record Decoded(BitmapSuperblock superblock, boolean padZero) {}

  /** Parses 256 bytes at {@code src[off ..]}; checks nothing (see {@link BitmapValidator}). */
  public static Decoded decode(byte[] src, int off) {
    if (src.length - off < BitmapSuperblockLayout.BYTES) {
      throw new MetadataException(
          "bitmap superblock", "device_size", (src.length - off) + " bytes readable",
          "the bitmap superblock needs " + BitmapSuperblockLayout.BYTES + " bytes");
    }
    BitmapSuperblock sb =
        new BitmapSuperblock(
            Le.getInt(src, off + BitmapSuperblockLayout.MAGIC),
            Le.getInt(src, off + BitmapSuperblockLayout.VERSION),
            Uuid16.of(Le.slice(src, off + BitmapSuperblockLayout.UUID, Uuid16.BYTES)),
            Le.getLong(src, off + BitmapSuperblockLayout.EVENTS),
            Le.getLong(src, off + BitmapSuperblockLayout.EVENTS_CLEARED),
            Le.getLong(src, off + BitmapSuperblockLayout.SYNC_SIZE),
            Le.getInt(src, off + BitmapSuperblockLayout.STATE),
            Le.getInt(src, off + BitmapSuperblockLayout.CHUNKSIZE),
            Le.getInt(src, off + BitmapSuperblockLayout.DAEMON_SLEEP),
            Le.getInt(src, off + BitmapSuperblockLayout.WRITE_BEHIND),
            Le.getInt(src, off + BitmapSuperblockLayout.SECTORS_RESERVED),
            Le.getInt(src, off + BitmapSuperblockLayout.NODES),
            FixedString.ofRaw(
                Le.slice(
                    src, off + BitmapSuperblockLayout.CLUSTER_NAME,
                    BitmapSuperblockLayout.CLUSTER_NAME_BYTES)));
    return new Decoded(
        sb,
        Le.allZero(src, off + BitmapSuperblockLayout.PAD, BitmapSuperblockLayout.PAD_BYTES));
  }
}
