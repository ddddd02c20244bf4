package dev.xatm.snapshot.internal;

import dev.xatm.snapshot.CheckpointReason;
import dev.xatm.snapshot.SnapshotException;
import dev.xatm.wal.storage.Storage;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>Over the cap after that checkpoint and the ordinary GC (which keeps the fallback checkpoint's
 * segments), GC runs once more with the newest checkpoint alone as the bound, so the cap never
 * refuses while a checkpoint could free space; only a real pin is left to name.
 *
 * <p>Threading: {@link #check()} from any thread, one at a time (a lock; the scheduler, the TM's
 * start, and a begin after a reservation was released); {@link #refusal()} from any thread (a
 * volatile read, nothing else: it is on the begin path).
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
  private final ReentrantLock checkLock = new ReentrantLock();
  private volatile String refusal;
  private volatile long lastMeasured;
  private volatile long versionAtVerdict = -1;

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
    checkLock.lock();
    try {
      doCheck();
    } finally {
      checkLock.unlock();
    }
  }

  /**
   * The refusal for a {@code begin}: while one stands and a backup reservation was released since
   * it was decided, checks again first (a checkpoint and GC may now free the space), so a
   * transaction is not refused for up to a tick after the pin is gone. Otherwise one volatile read
   * and one counter read: every other pin only ends by a checkpoint the next tick attempts.
   */
  public String refusalAfterRecheck() {
    String r = refusal;
    if (r == null || reservations.version() == versionAtVerdict) {
      return r;
    }
    check();
    return refusal;
  }

  private void doCheck() {
    long version = reservations.version();
    try {
      long size = measure();
      if (size > maxBytes && checkpointer != null) {
        try {
          checkpointer.checkpointNow(CheckpointReason.SIZE_CAP);
          size = measure();
          if (size > maxBytes) {
            // The fallback checkpoint pins more than the cap allows: give it up rather than
            // refuse while a checkpoint covers everything (LogRetention.collect(true)).
            checkpointer.collectUnderPressure();
            size = measure();
          }
        } catch (SnapshotException e) {
          // counted by the checkpointer (or a GC failure); the message below names it
          size = measure();
        }
      }
      versionAtVerdict = version;
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
    return "even right after a checkpoint and a GC down to it the directory is over the cap: the"
        + " cap is too small for the segment size (the log needs at least the active segment, the"
        + " spare and the checkpoints)";
  }
}
