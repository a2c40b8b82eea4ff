package io.clustermd.bitmap.format;

/**
 * The index of a bitmap chunk: chunk {@code c} covers array sectors {@code [c * chunkSectors, (c +
 * 1) * chunkSectors)} and is bit {@code c % 8} of byte {@code c / 8} of a slot's bit array
 * (mdcluster.md §6.4).
 *
 * @param value the 0-based chunk number
 */
public record ChunkIndex(long value) implements Comparable<ChunkIndex> {

  public ChunkIndex {
    if (value < 0) {
      throw new IllegalArgumentException("chunk index must be >= 0: " + value);
    }
  }

  public static ChunkIndex of(long value) {
    return new ChunkIndex(value);
  }

  @Override
  public int compareTo(ChunkIndex other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return "chunk" + value;
  }
}
