package io.clustermd.bitmap.format;

/** Shared values for format tests. */
public final class Fixtures {

  private Fixtures() {}

  public static final Uuid16 SET_UUID = Uuid16.parse("0123456789abcdef0011223344556677");
  public static final Uuid16 DEV_UUID = Uuid16.parse("fedcba98765432100011223344556677");

  /** mdadm's defaults for member 0 of a 2-mirror, 4-node array named tstmd in cluster mycluster. */
  public static MemberCreateOptions options() {
    return MemberCreateOptions.defaults(SET_UUID, DEV_UUID, "tstmd", "mycluster", 0, 1_700_000_000L);
  }

  /** A valid superblock as create lays it on a 64 MiB member. */
  public static MdSuperblock superblock() {
    return MemberLayout.plan(options(), 64L << 20).superblock();
  }
}
