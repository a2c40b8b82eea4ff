package io.clustermd.bitmap.intent;

/**
 * md's in-memory per-chunk counters ({@code bitmap_counter_t}, 16 bits; mdcluster.md §6.5): bit
 * 15 NEEDED (the chunk must be resynced), bit 14 RESYNC (a resync of it is running), the low 14
 * bits a count: 0 = bit clear; 1 = bit set, idle, to be cleared at the next daemon sweep; 2 = bit
 * set, idle; 2 + n = n writes in flight. {@code COUNTER_MAX} = 16383.
 */
final class ChunkCounters {

  static final int NEEDED = 0x8000;
  static final int RESYNC = 0x4000;
  static final int COUNTER_MASK = 0x3fff;
  static final int COUNTER_MAX = COUNTER_MASK;

  private final char[] counters;

  ChunkCounters(long chunks) {
    this.counters = new char[Math.toIntExact(chunks)];
  }

  int get(long chunk) {
    return counters[(int) chunk];
  }

  void set(long chunk, int value) {
    counters[(int) chunk] = (char) value;
  }

  static int count(int c) {
    return c & COUNTER_MASK;
  }

  static boolean needed(int c) {
    return (c & NEEDED) != 0;
  }

  static boolean resync(int c) {
    return (c & RESYNC) != 0;
  }

  static int withCount(int c, int count) {
    return (c & ~COUNTER_MASK) | count;
  }

  long size() {
    return counters.length;
  }
}
