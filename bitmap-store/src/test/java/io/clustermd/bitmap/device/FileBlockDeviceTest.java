package io.clustermd.bitmap.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlockDeviceTest {

  @TempDir Path tmp;

  private static Path file(Path dir, long size) throws IOException {
    Path f = Files.createTempFile(dir, "dev", ".img");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(size);
    }
    return f;
  }

  @Test
  @DisplayName("positional write, flush and read round-trip on a regular file; size is the length")
  void roundTrip() throws IOException {
    Path f = file(tmp, 1 << 20);
    try (FileBlockDevice d = FileBlockDevice.open(f, FileDeviceOptions.READ_WRITE)) {
      assertEquals(1 << 20, d.sizeBytes());
      d.write(12345, new byte[] {1, 2, 3});
      d.flush();
      assertArrayEquals(new byte[] {0, 1, 2, 3, 0}, d.read(12344, 5));
    }
  }

  @Test
  @DisplayName("O_DIRECT (on ext4 under target/): unaligned reads and writes go through aligned bounce buffers")
  void direct() throws IOException {
    Path dir = Files.createDirectories(Path.of("target", "direct-io"));
    Path f = file(dir, 1 << 20);
    try {
      FileBlockDevice d;
      try {
        d = FileBlockDevice.open(f, FileDeviceOptions.READ_WRITE_DIRECT);
      } catch (DeviceIOException e) {
        // A file system without O_DIRECT (tmpfs) must say so, naming the path.
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        org.junit.jupiter.api.Assumptions.assumeTrue(false, "no O_DIRECT here: " + e.getMessage());
        return;
      }
      try (d) {
        byte[] data = new byte[700];
        for (int i = 0; i < data.length; i++) {
          data[i] = (byte) (i * 7);
        }
        d.write(4000, data);
        d.write(8192, new byte[4096]);
        d.flush();
        assertArrayEquals(data, d.read(4000, 700));
      }
      try (FileBlockDevice b = FileBlockDevice.open(f, FileDeviceOptions.READ_ONLY)) {
        byte[] back = b.read(3990, 720);
        assertEquals(0, back[0]);
        assertEquals((byte) 7, back[11]);
      }
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @Test
  @DisplayName("errors name the path and the offset: read past the end, write on read-only, missing file")
  void errors() throws IOException {
    Path f = file(tmp, 8192);
    try (FileBlockDevice d = FileBlockDevice.open(f, FileDeviceOptions.READ_ONLY)) {
      DeviceIOException e = assertThrows(DeviceIOException.class, () -> d.read(8000, 512));
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("offset 8000"), e.getMessage());
      assertEquals(8000, e.offset());
      DeviceIOException w = assertThrows(DeviceIOException.class, () -> d.write(512, new byte[1]));
      assertTrue(w.getMessage().contains("read-only"), w.getMessage());
    }
    Path missing = tmp.resolve("nope.img");
    DeviceIOException o =
        assertThrows(
            DeviceIOException.class,
            () -> FileBlockDevice.open(missing, FileDeviceOptions.READ_ONLY));
    assertTrue(o.getMessage().contains(missing.toString()), o.getMessage());
  }
}
