package io.clustermd.bitmap.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MdSuperblockProperties {

  @Property(tries = 150)
  @Label("decode(encode(sb)) == sb and the checksum verifies, for arbitrary field values")
  void roundTrip(@ForAll("superblocks") MdSuperblock sb) {
    byte[] b = MdSuperblockCodec.encode(sb);
    MdSuperblockCodec.Decoded d = MdSuperblockCodec.decode(b);
    assertEquals(sb, d.superblock());
    assertTrue(d.checksumCorrect());
  }

  @Property(tries = 200)
  @Label("bitmap superblock: decode(encode(bsb)) == bsb")
  void bitmapRoundTrip(
      @ForAll long events, @ForAll long cleared, @ForAll long sync, @ForAll int state,
      @ForAll int chunk, @ForAll int sleep, @ForAll int wb, @ForAll int reserved,
      @ForAll int nodes) {
    BitmapSuperblock bsb =
        new BitmapSuperblock(
            BitmapSuperblockLayout.BITMAP_MAGIC, 5, Fixtures.SET_UUID, events, cleared, sync,
            state, chunk, sleep, wb, reserved, nodes,
            FixedString.of("c", 64, FixedString.Termination.NUL_TERMINATED));
    assertEquals(bsb, BitmapSuperblock.decode(bsb.encode(), 0).superblock());
  }

  @Provide
  Arbitrary<MdSuperblock> superblocks() {
    Arbitrary<Integer> ints = Arbitraries.integers();
    Arbitrary<Long> longs = Arbitraries.longs();
    Arbitrary<int[]> roles =
        Arbitraries.integers().between(0, 0xffff).array(int[].class).ofMinSize(0).ofMaxSize(1920);
    Arbitrary<MdSuperblock.Builder> base =
        Combinators.combine(ints, ints, longs, longs, ints, longs, longs, roles)
            .as(
                (fm, lvl, size, dataOff, devNo, events, resync, r) ->
                    Fixtures.superblock().toBuilder()
                        .featureMap(fm)
                        .level(lvl)
                        .size(size)
                        .dataOffset(dataOff)
                        .devNumber(devNo)
                        .events(events)
                        .resyncOffset(resync)
                        .devRoles(DevRoles.of(r)));
    return Combinators.combine(base, ints, ints, longs, longs, Arbitraries.integers().between(0, 255),
            Arbitraries.integers().between(0, 0xffff))
        .as(
            (b, bo, no, ct, ut, flags, bbs) ->
                b.bitmapOffset(bo).newOffset(no).ctime(ct).utime(ut).devflags(flags)
                    .bblogSize(bbs).build());
  }
}
