package io.clustermd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.cli.examine.MdadmText;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CliTest {

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = ClustermdCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new String[] {String.valueOf(rc), out.toString(), err.toString()};
  }

  @Test
  @DisplayName("usage errors exit 2: no mode, two modes, no member")
  void usage() {
    assertEquals("2", run("/tmp/x")[0]);
    assertEquals("2", run("-E", "-X", "/tmp/x")[0]);
    assertEquals("2", run("--examine")[0]);
  }

  @Test
  @DisplayName("a missing member exits 1 with an error naming the path")
  void missing() {
    String[] r = run("--examine", "/nonexistent/member.img");
    assertEquals("1", r[0]);
    assertTrue(r[2].contains("/nonexistent/member.img"), r[2]);
    String[] x = run("-X", "/nonexistent/member.img");
    assertEquals("1", x[0]);
    assertTrue(x[2].contains("/nonexistent/member.img"), x[2]);
  }

  @Test
  @DisplayName("--help lists both offline modes")
  void help() {
    String[] r = run("--help");
    assertEquals("0", r[0]);
    assertTrue(r[1].contains("--examine") && r[1].contains("--examine-bitmap"), r[1]);
  }

  @ParameterizedTest(name = "{0} bytes -> \"{1}\"")
  @CsvSource(
      delimiter = '|',
      value = {
        "5119999|''",
        "66060288|' (63.00 MiB 66.06 MB)'",
        "1073741824|' (1024.00 MiB 1073.74 MB)'",
        "2147483648|' (2.00 GiB 2.15 GB)'",
        "3298534883328|' (3.00 TiB 3.30 TB)'",
      })
  @DisplayName("human_size as mdadm: MiB below 2 GiB, GiB below 2 TiB, then TiB")
  void humanSize(long bytes, String expected) {
    assertEquals(expected, MdadmText.humanSize(bytes));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"0.25, 0.2", "0.35, 0.3", "100.0, 100.0", "3.0, 3.0", "0.0, 0.0", "12.5, 12.5"})
  @DisplayName("%2.1f rounds the exact binary value half-even, as glibc does")
  void percent(double v, String expected) {
    assertEquals(expected, MdadmText.percent1(v));
  }

  @Test
  @DisplayName("chunk sizes and ctime render as mdadm renders them")
  void chunkAndTime() {
    assertEquals("64 MB", MdadmText.humanChunksize(64L << 20));
    assertEquals("4 KB", MdadmText.humanChunksize(4096));
    assertEquals("512 B", MdadmText.humanChunksize(512));
    assertEquals("Tue Nov 14 22:13:20 2023", MdadmText.ctime(1_700_000_000L, ZoneId.of("UTC")));
    assertEquals("Thu Jan  1 00:00:00 1970", MdadmText.ctime(0, ZoneId.of("UTC")));
  }
}
