package io.clustermd.cli.examine;

import io.clustermd.bitmap.device.DeviceIOException;
import io.clustermd.bitmap.device.FileBlockDevice;
import io.clustermd.bitmap.device.FileDeviceOptions;
import io.clustermd.bitmap.format.BitmapSuperblock;
import io.clustermd.bitmap.format.FeatureMap;
import io.clustermd.bitmap.format.MdSuperblock;
import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.cli.ExitCode;
import io.clustermd.cli.Mode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code clustermd --examine-bitmap MEMBER...} ({@code -X}): per-slot bitmap report. */
public final class ExamineBitmapMode implements Mode {

  @Override
  public int run(List<Path> members, PrintWriter out, PrintWriter err) {
    int rc = ExitCode.OK;
    for (Path member : members) {
      rc = Math.max(rc, examine(member, out, err));
    }
    out.flush();
    err.flush();
    return rc;
  }

  private int examine(Path member, PrintWriter out, PrintWriter err) {
    String name = member.toString();
    try (FileBlockDevice d = FileBlockDevice.open(member, FileDeviceOptions.READ_ONLY)) {
      BitmapReport.Location loc;
      try {
        ExaminedMember m = ExaminedMember.read(d);
        MdSuperblock sb = m.superblock();
        if (!sb.hasFeature(FeatureMap.BITMAP_OFFSET) || m.bitmap().isEmpty()) {
          err.println("mdadm: " + name + " doesn't have bitmap");
          return ExitCode.FAILURE;
        }
        BitmapSuperblock b = m.bitmap().get();
        loc = new BitmapReport.Location(
            (sb.superOffset() + sb.bitmapOffset()) * SectorRange.SECTOR_BYTES,
            BitmapReport.calcBitmapSize(b.syncSize(), Integer.toUnsignedLong(b.chunksize()), 4096));
      } catch (ExaminedMember.NoSuperblock e) {
        // No md superblock: mdadm looks at the device itself, as an external bitmap file.
        loc = new BitmapReport.Location(0, 0);
      }
      return BitmapReport.print(name, d, loc, out, err);
    } catch (DeviceIOException e) {
      err.println("clustermd: cannot examine bitmap of " + name + ": " + e.getMessage());
      return ExitCode.FAILURE;
    }
  }
}
