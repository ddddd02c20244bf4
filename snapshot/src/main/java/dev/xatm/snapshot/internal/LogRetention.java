package dev.xatm.snapshot.internal;

import dev.xatm.snapshot.CheckpointStore;
import dev.xatm.snapshot.SnapshotException;
import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Segment GC (DESIGN §5, seeds decision 25): deletes only segments that lie wholly before the
 * segment containing LSN {@code older.L + 1}, where {@code older} is the older of the two retained
 * checkpoints (so the fallback checkpoint can still be replayed), and never a segment a {@link
 * SegmentReservations reservation} holds. Never by "this segment has no live transaction". Each
 * deleted segment is first archived when an archive is configured; the WAL fsyncs the directory
 * after each deletion, oldest first, so a crash never leaves a gap (a deletion that was not yet
 * durable makes the file reappear, which replay ignores: it starts after the checkpoint).
 *
 * <p>Threading: one GC at a time (the checkpointer's lock).
 */
public final class LogRetention {
  /** Checkpoints kept: the newest and its fallback. */
  public static final int CHECKPOINTS_KEPT = 2;

  private final Wal wal;
  private final Path logDirectory;
  private final CheckpointStore checkpoints;
  private final SegmentReservations reservations;
  private final SegmentArchive archive; // null: none

  public LogRetention(
      Wal wal,
      Path logDirectory,
      CheckpointStore checkpoints,
      SegmentReservations reservations,
      SegmentArchive archive) {
    this.wal = wal;
    this.logDirectory = logDirectory;
    this.checkpoints = checkpoints;
    this.reservations = reservations;
    this.archive = archive;
  }

  /**
   * The GC bound: segments whose last LSN is below it may be deleted. 0 when nothing may be deleted
   * (fewer than two checkpoints).
   */
  public long bound(List<Long> retainedCheckpoints) {
    if (retainedCheckpoints.size() < CHECKPOINTS_KEPT) {
      return 0;
    }
    long bound = retainedCheckpoints.get(retainedCheckpoints.size() - CHECKPOINTS_KEPT) + 1;
    Optional<SegmentReservations.Reservation> r = reservations.lowest();
    if (r.isPresent()) {
      bound = Math.min(bound, r.get().fromLsn());
    }
    return bound;
  }

  /**
   * Trims checkpoints to the two newest, archives and deletes the segments the rule allows. Returns
   * how many segments were deleted.
   */
  public int collect() throws SnapshotException {
    return collect(false);
  }

  /**
   * As {@link #collect()}; under size-cap {@code pressure} the newest checkpoint (re-read and
   * verified first) bounds GC, giving up the fallback's segments: a TM refusing transactions
   * appends nothing, so no newer checkpoint could come to move the older one forward and the
   * refusal would never end (issue 14: an old fallback checkpoint from a long-lived run kept every
   * segment of many short runs after it, and the cap refused right after a start although a
   * checkpoint had just been taken).
   */
  public int collect(boolean pressure) throws SnapshotException {
    List<Long> kept = checkpoints.retainNewest(CHECKPOINTS_KEPT);
    long bound = bound(kept);
    if (pressure && !kept.isEmpty()) {
      long newest = kept.get(kept.size() - 1);
      if (bound < newest + 1) {
        checkpoints.load(newest); // throws when it does not verify: then nothing is deleted
        bound = newest + 1;
        Optional<SegmentReservations.Reservation> r = reservations.lowest();
        if (r.isPresent()) {
          bound = Math.min(bound, r.get().fromLsn());
        }
      }
    }
    if (bound <= 0) {
      return 0;
    }
    if (archive != null) {
      for (SegmentInfo s : wal.segments()) {
        if (!s.active() && s.lastLsn() < bound) {
          archive.archive(SegmentNames.path(logDirectory, s.index()));
        }
      }
    }
    int deleted;
    try {
      deleted = wal.deleteSegmentsBefore(bound);
    } catch (WalException e) {
      throw new SnapshotException("segment GC below LSN " + bound + " failed: " + e, e);
    }
    if (archive != null) {
      archive.enforceLimit();
    }
    return deleted;
  }
}
