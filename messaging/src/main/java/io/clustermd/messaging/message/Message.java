package io.clustermd.messaging.message;

import io.clustermd.bitmap.format.SectorRange;
import io.clustermd.bitmap.format.Uuid16;
import java.util.Objects;

/**
 * The body of one md-cluster broadcast (mdcluster.md §3.2). The sender's slot and the message's
 * place in the cluster-wide order travel beside it, in an {@link Envelope}.
 *
 * <p>{@code raidSlot} is the kernel's {@code cmsg.raid_slot}: a member's {@code desc_nr} (its
 * superblock {@code dev_number}), not its role.
 */
public sealed interface Message {

  MessageType type();

  /** METADATA_UPDATED: re-read the superblock from member {@code raidSlot}, a good one. */
  record MetadataUpdated(int raidSlot) implements Message {
    public MetadataUpdated {
      requireDescNr(raidSlot);
    }

    @Override
    public MessageType type() {
      return MessageType.METADATA_UPDATED;
    }
  }

  /**
   * RESYNCING: the sender resyncs sectors {@code [lo, hi)}; {@code hi == 0} means it finished
   * (the kernel sends (0,0)).
   */
  record Resyncing(long lo, long hi) implements Message {
    public Resyncing {
      if (lo < 0 || hi < 0) {
        throw new IllegalArgumentException("RESYNCING sectors must be >= 0: lo=" + lo + " hi=" + hi);
      }
      if (hi != 0 && hi <= lo) {
        throw new IllegalArgumentException("RESYNCING window [" + lo + ", " + hi + ") is empty");
      }
    }

    public static Resyncing window(SectorRange window) {
      return new Resyncing(window.lo(), window.hiExclusive());
    }

    public static Resyncing finished() {
      return new Resyncing(0, 0);
    }

    public boolean isFinished() {
      return hi == 0;
    }

    /** The window; only when not {@link #isFinished()}. */
    public SectorRange window() {
      if (isFinished()) {
        throw new IllegalStateException("RESYNCING(" + lo + ", 0) announces the end of a resync, not a window");
      }
      return new SectorRange(lo, hi);
    }

    @Override
    public MessageType type() {
      return MessageType.RESYNCING;
    }
  }

  /** NEWDISK: the device whose {@code device_uuid} is {@code deviceUuid} joins as {@code raidSlot}. */
  record NewDisk(Uuid16 deviceUuid, int raidSlot) implements Message {
    public NewDisk {
      Objects.requireNonNull(deviceUuid, "deviceUuid");
      requireDescNr(raidSlot);
    }

    @Override
    public MessageType type() {
      return MessageType.NEWDISK;
    }
  }

  /** REMOVE: kick member {@code raidSlot}. */
  record Remove(int raidSlot) implements Message {
    public Remove {
      requireDescNr(raidSlot);
    }

    @Override
    public MessageType type() {
      return MessageType.REMOVE;
    }
  }

  /** RE_ADD: clear Faulty on member {@code raidSlot}. */
  record ReAdd(int raidSlot) implements Message {
    public ReAdd {
      requireDescNr(raidSlot);
    }

    @Override
    public MessageType type() {
      return MessageType.RE_ADD;
    }
  }

  /** BITMAP_NEEDS_SYNC: the sender's own slot (in the envelope) needs recovery by another node. */
  record BitmapNeedsSync() implements Message {
    @Override
    public MessageType type() {
      return MessageType.BITMAP_NEEDS_SYNC;
    }
  }

  /** CHANGE_CAPACITY: the array size changed. */
  record ChangeCapacity() implements Message {
    @Override
    public MessageType type() {
      return MessageType.CHANGE_CAPACITY;
    }
  }

  /** BITMAP_RESIZE: the bitmap now covers {@code sectors} ({@code cmsg.high}). */
  record BitmapResize(long sectors) implements Message {
    public BitmapResize {
      if (sectors < 0) {
        throw new IllegalArgumentException("BITMAP_RESIZE size must be >= 0: " + sectors);
      }
    }

    @Override
    public MessageType type() {
      return MessageType.BITMAP_RESIZE;
    }
  }

  /** RESYNCING_START: the sender took the {@code resync} lock. */
  record ResyncingStart() implements Message {
    @Override
    public MessageType type() {
      return MessageType.RESYNCING_START;
    }
  }

  private static void requireDescNr(int raidSlot) {
    if (raidSlot < 0) {
      throw new IllegalArgumentException("raid_slot (a desc_nr) must be >= 0: " + raidSlot);
    }
  }
}
