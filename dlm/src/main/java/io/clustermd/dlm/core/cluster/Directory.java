package io.clustermd.dlm.core.cluster;

import io.clustermd.dlm.core.ResourceName;
import java.util.List;

/**
 * The directory node of a resource: a hash of its name over the sorted members (dlm.md §11.1).
 * fs/dlm uses jhash and {@code (hash >> 16) % members}; we use 32-bit FNV-1a with the same
 * selection, since no kernel node shares our directory.
 */
public final class Directory {

  private Directory() {}

  public static NodeId nodeFor(ResourceName name, List<NodeId> sortedMembers) {
    int hash = hash(name.bytes());
    return sortedMembers.get(Integer.remainderUnsigned(hash >>> 16, sortedMembers.size()));
  }

  static int hash(byte[] bytes) {
    int h = 0x811c9dc5;
    for (byte b : bytes) {
      h ^= (b & 0xff);
      h *= 0x01000193;
    }
    return h;
  }
}
