package io.clustermd.bitmap.format;

import java.util.Arrays;

/**
 * {@code dev_roles[max_dev]}: for each device number, the role it plays (mdcluster.md §6.2). Values
 * {@code 0..0xfeff} are RAID slots; the top three values are markers.
 */
public final class DevRoles {

  /** Role of a spare. */
  public static final int SPARE = 0xffff;
  /** Role of a failed device. */
  public static final int FAULTY = 0xfffe;
  /** Role of a journal device. */
  public static final int JOURNAL = 0xfffd;
  /** The largest role that is a RAID slot ({@code MD_DISK_ROLE_MAX}). */
  public static final int MAX_ACTIVE = 0xfeff;

  private final int[] roles;

  private DevRoles(int[] roles) {
    this.roles = roles;
  }

  /** {@code maxDev} entries, all spare (what mdadm writes before adding devices). */
  public static DevRoles allSpare(int maxDev) {
    int[] r = new int[maxDev];
    Arrays.fill(r, SPARE);
    return new DevRoles(r);
  }

  public static DevRoles of(int... roles) {
    for (int r : roles) {
      if (r < 0 || r > 0xffff) {
        throw new IllegalArgumentException("a role is an unsigned 16-bit value: " + r);
      }
    }
    return new DevRoles(roles.clone());
  }

  public int maxDev() {
    return roles.length;
  }

  public int role(int devNumber) {
    return roles[devNumber];
  }

  public DevRoles with(int devNumber, int role) {
    int[] r = roles.clone();
    r[devNumber] = role;
    return of(r);
  }

  public int[] toArray() {
    return roles.clone();
  }

  /** How mdadm names a role in {@code Device Role}. */
  public static String describe(int role) {
    if (role == SPARE || role == FAULTY) {
      return "spare";
    }
    if (role == JOURNAL) {
      return "Journal";
    }
    return "Active device " + role;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DevRoles other && Arrays.equals(roles, other.roles);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(roles);
  }

  @Override
  public String toString() {
    return Arrays.toString(roles);
  }
}
