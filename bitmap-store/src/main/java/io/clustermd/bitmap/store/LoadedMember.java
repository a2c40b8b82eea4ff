package io.clustermd.bitmap.store;

import io.clustermd.bitmap.format.BitmapGeometry;
import io.clustermd.bitmap.format.BitmapSuperblock;
import io.clustermd.bitmap.format.MdSuperblock;
import java.util.Objects;

/**
 * A member whose superblock and slot-0 bitmap superblock validated.
 *
 * @param superblock the md superblock
 * @param bitmap slot 0's bitmap superblock (geometry and cluster fields are shared by all slots)
 * @param geometry where each slot's bits live
 */
public record LoadedMember(MdSuperblock superblock, BitmapSuperblock bitmap, BitmapGeometry geometry) {

  public LoadedMember {
    Objects.requireNonNull(superblock, "superblock");
    Objects.requireNonNull(bitmap, "bitmap");
    Objects.requireNonNull(geometry, "geometry");
  }

  public int nodes() {
    return geometry.nodes();
  }

  public boolean isClustered() {
    return bitmap.isClustered();
  }
}
