package io.clustermd.cli.examine;

import io.clustermd.bitmap.device.DeviceIOException;
import io.clustermd.bitmap.device.FileBlockDevice;
import io.clustermd.bitmap.device.FileDeviceOptions;
import io.clustermd.cli.ExitCode;
import io.clustermd.cli.Mode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;

/** {@code clustermd --examine MEMBER...}: prints each member's superblock as mdadm -E does. */
public final class ExamineMode implements Mode {

  private final ZoneId zone;

  public ExamineMode(ZoneId zone) {
    this.zone = zone;
  }

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
      ExaminedMember m;
      try {
        m = ExaminedMember.read(d);
      } catch (ExaminedMember.NoSuperblock e) {
        err.println("mdadm: No md superblock detected on " + name + ".");
        err.println("clustermd: " + name + ": " + e.getMessage());
        return ExitCode.FAILURE;
      }
      out.print(SuperblockReport.format(name, m, zone));
      return ExitCode.OK;
    } catch (DeviceIOException e) {
      err.println("clustermd: cannot examine " + name + ": " + e.getMessage());
      return ExitCode.FAILURE;
    }
  }
}
