package dev.xatm.snapshot;

import dev.xatm.wal.storage.Storage;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The hard cap on the log directory's size (segments, the preallocated spare and checkpoints; an
 * archive has its own limit). {@link #check()} measures the directory; over the cap it first tries
 * an immediate checkpoint + GC, and if the directory is still over the cap it sets a refusal that
 * the owner checks before admitting new work ({@link #refusal()}), naming what pins the log: a
 * backup reservation, or failing/disabled checkpoints together with the oldest unfinished
 * transactions. It clears the refusal once a later check finds the directory under the cap.
 *
 * <p>Note that a stuck in-doubt transaction does not pin segments by itself: each checkpoint
 * carries every decided-unfinished transaction, so GC proceeds past it.
 *
 * <p>Threading: {@link #check()} from one thread at a time (the scheduler); {@link #refusal()} from
 * any thread (a volatile read, nothing else: it is on the begin path).
 */
public final class LogSizeGuard {
  private static final System.Logger LOG = System.getLogger(LogSizeGuard.class.getName());

  private final Storage storage;
  private final Path directory;
  private final long maxBytes;
  private final String capName;
  private final Checkpointer checkpointer; // null: checkpoints disabled
  private final SegmentReservations reservations;
  private final Supplier<String> unfinished;
  private volatile String refusal;
  private volatile long lastMeasured;

  /**
   * @param capName the configuration key of the cap, for messages
   * @param checkpointer null when checkpoints are disabled
   * @param unfinished describes the oldest unfinished transactions (gtrid, decided at, resources)
   */
  public LogSizeGuard(
      Storage storage,
      Path directory,
      long maxBytes,
      String capName,
      Checkpointer checkpointer,
      SegmentReservations reservations,
      Supplier<String> unfinished) {
    this.storage = storage;
    this.directory = directory;
    this.maxBytes = maxBytes;
    this.capName = capName;
    this.checkpointer = checkpointer;
    this.reservations = reservations;
    this.unfinished = unfinished;
  }

  /** The refusal message while the log is over its cap, else {@code null}. */
  public String refusal() {
    return refusal;
  }

  /** Bytes found by the last {@link #check()}. */
  public long lastMeasured() {
    return lastMeasured;
  }

  /** Sum of the sizes of segment and checkpoint files in the log directory. */
  public long measure() throws SnapshotException {
    try {
      long total = 0;
      for (Path p : storage.list(directory)) {
        String name = p.getFileName().toString();
        if (SegmentNames.indexOf(name) >= 0 || name.startsWith(CheckpointFormat.PREFIX)) {
          try {
            total += FileOps.size(storage, p);
          } catch (java.nio.file.NoSuchFileException e) {
            // deleted by GC while we listed
          }
        }
      }
      return total;
    } catch (IOException e) {
      throw new SnapshotException("measuring the log directory " + directory + " failed: " + e, e);
    }
  }

  /** Measures, tries a checkpoint + GC when over the cap, and sets or clears the refusal. */
  public void check() {
    if (maxBytes <= 0) {
      return;
    }
    try {
      long size = measure();
      if (size > maxBytes && checkpointer != null) {
        try {
          checkpointer.checkpointNow(Checkpointer.Reason.SIZE_CAP);
        } catch (SnapshotException e) {
          // counted by the checkpointer; the message below names it
        }
        size = measure();
      }
      lastMeasured = size;
      if (size <= maxBytes) {
        if (refusal != null) {
          LOG.log(
              Level.INFO,
              "log directory {0} is back under {1}: admitting new transactions",
              directory,
              capName);
        }
        refusal = null;
        return;
      }
      String message =
          "the log directory "
              + directory
              + " holds "
              + size
              + " bytes, over "
              + capName
              + " = "
              + maxBytes
              + "; "
              + pin();
      if (!message.equals(refusal)) {
        LOG.log(Level.ERROR, "refusing new transactions: " + message);
      }
      refusal = message;
    } catch (SnapshotException | RuntimeException e) {
      LOG.log(Level.WARNING, "log size check failed; the previous verdict stands", e);
    }
  }

  private String pin() {
    Optional<SegmentReservations.Reservation> r = reservations.lowest();
    if (r.isPresent()) {
      return "segments from LSN "
          + r.get().fromLsn()
          + " are pinned by "
          + r.get().owner()
          + " (a backup reservation; GC resumes when it is released)";
    }
    if (checkpointer == null) {
      return "checkpoints are disabled, so no segment can be deleted; oldest unfinished"
          + " transactions: "
          + unfinished.get();
    }
    if (checkpointer.consecutiveFailures() > 0) {
      return "checkpoints are failing ("
          + checkpointer.consecutiveFailures()
          + " in a row, last: "
          + checkpointer.lastFailure()
          + "), so segments since LSN "
          + checkpointer.lastCheckpointLsn()
          + " cannot be deleted; oldest unfinished transactions: "
          + unfinished.get();
    }
    return "even right after a checkpoint and GC the directory is over the cap: the cap is too"
        + " small for the segment size (the log needs the segments since the older of the two"
        + " retained checkpoints, the active one and the spare)";
  }
}
