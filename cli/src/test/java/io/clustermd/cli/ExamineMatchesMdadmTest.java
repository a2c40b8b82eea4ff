package io.clustermd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clustermd.bitmap.device.FileBlockDevice;
import io.clustermd.bitmap.device.FileDeviceOptions;
import io.clustermd.bitmap.format.BitmapBits;
import io.clustermd.bitmap.format.BitmapSuperblockLayout;
import io.clustermd.bitmap.format.InitialSync;
import io.clustermd.bitmap.format.MdSlot;
import io.clustermd.bitmap.format.MemberCreateOptions;
import io.clustermd.bitmap.format.Uuid16;
import io.clustermd.bitmap.store.LoadedMember;
import io.clustermd.bitmap.store.MemberStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code clustermd --examine} and {@code --examine-bitmap} print what mdadm 4.2 prints for the
 * same member, line for line (and exit with the same code). -X is compared on a read-only loop
 * device over the member, where mdadm locates the internal bitmap.
 */
class ExamineMatchesMdadmTest {

  private static final Uuid16 SET = Uuid16.parse("5eedc0de00112233445566778899aabb");
  private static final Uuid16 DEV = Uuid16.parse("d0d0cafe0123456789abcdef01234567");

  @TempDir Path dir;

  @BeforeAll
  static void tools() {
    HostTools.requireMdadm();
    HostTools.requireLoopDevices();
  }

  record Case(String name, long bytes, MemberCreateOptions options, Consumer<FileBlockDevice> after) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static MemberCreateOptions base(int dev) {
    return MemberCreateOptions.defaults(SET, DEV, "tstmd", "mycluster", dev, 1_700_000_000L);
  }

  private static void dirty(FileBlockDevice d, int slot, long... chunks) {
    LoadedMember m = MemberStore.load(d);
    byte[] area = MemberStore.readSlot(d, m, MdSlot.of(slot)).area();
    for (long c : chunks) {
      BitmapBits.set(area, BitmapSuperblockLayout.BYTES, c);
    }
    d.write(m.geometry().slotOffsetBytes(MdSlot.of(slot)), area);
    d.flush();
  }

  static Stream<Arguments> cases() {
    Consumer<FileBlockDevice> none = d -> { };
    return Stream.of(
        new Case("default 64 MiB, 4 nodes", 64L << 20, base(0), none),
        new Case("1 GiB, 3 nodes, 4 MiB chunks, dirty bits in slots 1 and 2", 1L << 30,
            base(1).withNodes(3).withBitmapChunkBytes(4 << 20),
            d -> { dirty(d, 1, 0, 5, 100); dirty(d, 2, 7); }),
        new Case("assume-clean, spare member, 8 nodes", 300L << 20,
            base(0).withDisks(2, 1, 2).withNodes(8).withInitialSync(InitialSync.ASSUME_CLEAN),
            none),
        new Case("size smaller than data_size (Used Dev Size, after>0)", 512L << 20,
            base(0).withSizeSectors(500_000), none),
        new Case("3 TiB sparse member (TiB sizes, 16384 chunks)", 3L << 40, base(0), none),
        new Case("bad superblock checksum", 64L << 20, base(0),
            d -> { d.write(4096 + 200, new byte[] {9}); d.flush(); }),
        new Case("events and per-slot events, slot 1 out of date", 64L << 20, base(0),
            d -> {
              MemberStore.updateSuperblock(d, s -> s.toBuilder().events(77).utime(1_750_000_000L).build());
              byte[] ev = {42, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
              d.write(8192 + 4096 + 24, ev);
              d.flush();
            }),
        new Case("slot 0 bitmap magic corrupted (mdadm hides the bitmap)", 64L << 20, base(0),
            d -> { d.write(8192, new byte[4]); d.flush(); }),
        new Case("blank file: no superblock", 64L << 20, null, none))
        .map(Arguments::of);
  }

  private Path build(Case c) throws IOException {
    Path f = dir.resolve("member.img");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(c.bytes());
    }
    try (FileBlockDevice d = FileBlockDevice.open(f, FileDeviceOptions.READ_WRITE)) {
      if (c.options() != null) {
        MemberStore.create(d, c.options());
      }
      c.after().accept(d);
    }
    return f;
  }

  private static HostTools.Result ours(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = ClustermdCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new HostTools.Result(rc, out.toString(), err.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @DisplayName("clustermd -E output and exit code equal mdadm -E's on the same member file")
  void examineMatches(Case c) throws IOException {
    Path f = build(c);
    HostTools.Result theirs = HostTools.run("mdadm", "--examine", f.toString());
    HostTools.Result ours = ours("--examine", f.toString());
    assertEquals(theirs.exitCode(), ours.exitCode(), "exit code\nmdadm: " + theirs + "\nours: " + ours);
    assertLinesEqual(theirs.stdout(), ours.stdout());
    if (theirs.exitCode() != 0) {
      assertTrue(ours.stderr().contains(theirs.stderr().trim()), ours.stderr());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @DisplayName("clustermd -X output and exit code equal mdadm -X's on a loop device over the member")
  void examineBitmapMatches(Case c) throws IOException {
    Path f = build(c);
    try (HostTools.Loop loop = HostTools.Loop.attachReadOnly(f)) {
      HostTools.Result theirs = HostTools.run("mdadm", "--examine-bitmap", loop.device());
      HostTools.Result ours = ours("--examine-bitmap", loop.device());
      assertEquals(theirs.exitCode(), ours.exitCode(), "exit code\nmdadm: " + theirs + "\nours: " + ours);
      assertLinesEqual(theirs.stdout(), ours.stdout());
      assertLinesEqual(theirs.stderr(), ours.stderr());
      // And on the member file itself (where mdadm 4.2 would read an external bitmap):
      HostTools.Result onFile = ours("-X", f.toString());
      assertEquals(ours.exitCode(), onFile.exitCode());
      assertLinesEqual(
          ours.stdout().replace(loop.device(), "FILE"), onFile.stdout().replace(f.toString(), "FILE"));
    }
  }

  /** Compares line by line so that a failure names the first differing field. */
  static void assertLinesEqual(String expected, String actual) {
    List<String> e = expected.lines().toList();
    List<String> a = actual.lines().toList();
    for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
      assertEquals(e.get(i), a.get(i), "line " + (i + 1) + "\nexpected:\n" + expected + "\nactual:\n" + actual);
    }
    assertEquals(e.size(), a.size(), "line count\nexpected:\n" + expected + "\nactual:\n" + actual);
  }
}
