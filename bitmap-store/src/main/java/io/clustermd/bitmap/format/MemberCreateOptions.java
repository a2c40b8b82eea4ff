package io.clustermd.bitmap.format;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What {@code mdadm --create --level=1 --bitmap=clustered} would be told, for one member. UUIDs
 * and the creation time are inputs: this record and {@link MemberLayout} stay pure.
 *
 * @param setUuid the array UUID (same on every member)
 * @param deviceUuid this member's UUID (distinct per member)
 * @param name set_name (at most 32 bytes)
 * @param clusterName the bitmap's cluster_name (at most 63 bytes)
 * @param nodes bitmap slots, at least 2 (mdadm's default is 4)
 * @param raidDisks active mirrors
 * @param spares spare members created with the array
 * @param devNumber this member's device number (its index into dev_roles)
 * @param initialSync whether the mirrors need a first resync
 * @param bitmapChunkBytes bitmap chunk, or empty for mdadm's default
 * @param daemonSleepSeconds the bitmap daemon period (mdadm default 5)
 * @param ctimeSeconds creation time, seconds since the epoch
 * @param sizeSectors sectors of each member used by the array, or empty for the largest possible
 * @param dataOffsetSectors where data starts, or empty for mdadm's default
 */
public record MemberCreateOptions(
    Uuid16 setUuid,
    Uuid16 deviceUuid,
    String name,
    String clusterName,
    int nodes,
    int raidDisks,
    int spares,
    int devNumber,
    InitialSync initialSync,
    OptionalInt bitmapChunkBytes,
    int daemonSleepSeconds,
    long ctimeSeconds,
    OptionalLong sizeSectors,
    OptionalLong dataOffsetSectors) {

  /** mdadm's {@code --nodes} default for a clustered bitmap. */
  public static final int DEFAULT_NODES = 4;
  /** mdadm's default bitmap daemon period ({@code DEFAULT_BITMAP_DELAY}). */
  public static final int DEFAULT_DAEMON_SLEEP_SECONDS = 5;

  public MemberCreateOptions {
    Objects.requireNonNull(setUuid, "setUuid");
    Objects.requireNonNull(deviceUuid, "deviceUuid");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(initialSync, "initialSync");
    Objects.requireNonNull(bitmapChunkBytes, "bitmapChunkBytes");
    Objects.requireNonNull(sizeSectors, "sizeSectors");
    Objects.requireNonNull(dataOffsetSectors, "dataOffsetSectors");
    if (nodes < 2) {
      throw new IllegalArgumentException("a clustered bitmap needs --nodes >= 2: " + nodes);
    }
    if (raidDisks < 1) {
      throw new IllegalArgumentException("raid_disks must be >= 1: " + raidDisks);
    }
    if (spares < 0) {
      throw new IllegalArgumentException("spares must be >= 0: " + spares);
    }
    if (devNumber < 0 || devNumber >= raidDisks + spares) {
      throw new IllegalArgumentException(
          "dev_number " + devNumber + " must be in [0, " + (raidDisks + spares) + ")");
    }
    if (clusterName.isEmpty()) {
      throw new IllegalArgumentException("a clustered bitmap needs a cluster name");
    }
    if (daemonSleepSeconds < 1 || daemonSleepSeconds > BitmapValidator.DAEMON_SLEEP_MAX_SECONDS) {
      throw new IllegalArgumentException("daemon sleep out of range: " + daemonSleepSeconds);
    }
    if (ctimeSeconds < 0 || ctimeSeconds > 0xff_ffff_ffffL) {
      throw new IllegalArgumentException("ctime must fit in 40 bits: " + ctimeSeconds);
    }
  }

  /** Options with mdadm's defaults: 4 nodes, 2 mirrors, no spares, needs resync. */
  public static MemberCreateOptions defaults(
      Uuid16 setUuid, Uuid16 deviceUuid, String name, String clusterName, int devNumber,
      long ctimeSeconds) {
    return new MemberCreateOptions(
        setUuid, deviceUuid, name, clusterName, DEFAULT_NODES, 2, 0, devNumber,
        InitialSync.NEEDS_RESYNC, OptionalInt.empty(), DEFAULT_DAEMON_SLEEP_SECONDS,
        ctimeSeconds, OptionalLong.empty(), OptionalLong.empty());
  }

  public MemberCreateOptions withNodes(int n) {
    return new MemberCreateOptions(
        setUuid, deviceUuid, name, clusterName, n, raidDisks, spares, devNumber, initialSync,
        bitmapChunkBytes, daemonSleepSeconds, ctimeSeconds, sizeSectors, dataOffsetSectors);
  }

  public MemberCreateOptions withDisks(int raid, int spare, int dev) {
    return new MemberCreateOptions(
        setUuid, deviceUuid, name, clusterName, nodes, raid, spare, dev, initialSync,
        bitmapChunkBytes, daemonSleepSeconds, ctimeSeconds, sizeSectors, dataOffsetSectors);
  }

  public MemberCreateOptions withInitialSync(InitialSync sync) {
    return new MemberCreateOptions(
        setUuid, deviceUuid, name, clusterName, nodes, raidDisks, spares, devNumber, sync,
        bitmapChunkBytes, daemonSleepSeconds, ctimeSeconds, sizeSectors, dataOffsetSectors);
  }

  public MemberCreateOptions withBitmapChunkBytes(int chunk) {
    return new MemberCreateOptions(
        setUuid, deviceUuid, name, clusterName, nodes, raidDisks, spares, devNumber, initialSync,
        OptionalInt.of(chunk), daemonSleepSeconds, ctimeSeconds, sizeSectors, dataOffsetSectors);
  }

  public MemberCreateOptions withSizeSectors(long size) {
    return new MemberCreateOptions(
        setUuid, deviceUuid, name, clusterName, nodes, raidDisks, spares, devNumber, initialSync,
        bitmapChunkBytes, daemonSleepSeconds, ctimeSeconds, OptionalLong.of(size),
        dataOffsetSectors);
  }

  public MemberCreateOptions withDataOffsetSectors(long offset) {
    return new MemberCreateOptions(
        setUuid, deviceUuid, name, clusterName, nodes, raidDisks, spares, devNumber, initialSync,
        bitmapChunkBytes, daemonSleepSeconds, ctimeSeconds, sizeSectors, OptionalLong.of(offset));
  }

  public MemberCreateOptions withDaemonSleepSeconds(int seconds) {
    return new MemberCreateOptions(
        setUuid, deviceUuid, name, clusterName, nodes, raidDisks, spares, devNumber, initialSync,
        bitmapChunkBytes, seconds, ctimeSeconds, sizeSectors, dataOffsetSectors);
  }
}
