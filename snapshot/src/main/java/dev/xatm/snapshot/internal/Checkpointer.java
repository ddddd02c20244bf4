package dev.xatm.snapshot.internal;

import dev.xatm.snapshot.CheckpointReason;
import dev.xatm.snapshot.CheckpointResult;
import dev.xatm.snapshot.CheckpointStore;
import dev.xatm.snapshot.SnapshotException;
import dev.xatm.snapshot.StateSource;
import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.Wal;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Takes checkpoints and runs segment GC after each: capture (state, L) from the {@link
 * StateSource}, wait until the WAL is durable up to L (forcing it with {@code sync()} if records
 * after the last force are pending), write the checkpoint file, keep the two newest, GC. A poisoned
 * log gets no checkpoint. Nothing here runs on the commit path: {@link #tick()} is called by a
 * scheduler and checks the {@link CheckpointTriggers}.
 *
 * <p>Threading: {@link #tick()} and {@link #checkpointNow} may be called from any thread; one
 * checkpoint (and GC) runs at a time under {@link #lock()}, which a backup also takes while it
 * picks and links the newest checkpoint.
 */
public final class Checkpointer {
  private static final System.Logger LOG = System.getLogger(Checkpointer.class.getName());
  private static final long SYNC_TIMEOUT_SECONDS = 60;

  private final Wal wal;
  private final CheckpointStore store;
  private final LogRetention retention;
  private final StateSource source;
  private final CheckpointTriggers triggers;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock, published through volatile for readers of the status.
  private volatile long lastLsn;
  private volatile long lastMillis;
  private long lastBytes;
  private long lastActiveIndex;
  private volatile int consecutiveFailures;
  private volatile String lastFailure;
  private volatile long checkpoints;

  public Checkpointer(
      Wal wal,
      CheckpointStore store,
      LogRetention retention,
      StateSource source,
      CheckpointTriggers triggers,
      Clock clock,
      long startLsn) {
    this.wal = wal;
    this.store = store;
    this.retention = retention;
    this.source = source;
    this.triggers = triggers;
    this.clock = clock;
    this.lastLsn = startLsn;
    this.lastMillis = clock.millis();
    this.lastBytes = source.appendedBytes();
    this.lastActiveIndex = activeIndex();
  }

  /** Held while a checkpoint or GC runs; a backup holds it while it links the newest checkpoint. */
  public ReentrantLock lock() {
    return lock;
  }

  /**
   * Takes a checkpoint if a trigger is due; failures are logged and counted (see {@link
   * #consecutiveFailures()}), never thrown: the scheduler keeps calling.
   */
  public CheckpointResult tick() {
    CheckpointReason due = due();
    if (due == null) {
      return null;
    }
    try {
      return checkpointNow(due);
    } catch (SnapshotException e) {
      return null; // counted and logged by checkpointNow
    }
  }

  private CheckpointReason due() {
    boolean progressed = wal.lastLsn() > lastLsn;
    if (!progressed) {
      return null;
    }
    if (triggers.onRotation() && activeIndex() != lastActiveIndex) {
      return CheckpointReason.ROTATION;
    }
    if (triggers.bytes() > 0 && source.appendedBytes() - lastBytes >= triggers.bytes()) {
      return CheckpointReason.BYTES;
    }
    if (!triggers.interval().isZero()
        && clock.millis() - lastMillis >= triggers.interval().toMillis()) {
      return CheckpointReason.INTERVAL;
    }
    return null;
  }

  /**
   * Takes a checkpoint now (unless nothing was appended since the last one) and runs GC.
   *
   * @throws SnapshotException the log is poisoned, the sync did not complete, or the file could not
   *     be written; no checkpoint exists then and no segment was deleted
   */
  public CheckpointResult checkpointNow(CheckpointReason reason) throws SnapshotException {
    lock.lock();
    try {
      CheckpointResult r = doCheckpoint(reason);
      consecutiveFailures = 0;
      lastFailure = null;
      return r;
    } catch (SnapshotException | RuntimeException e) {
      consecutiveFailures++;
      lastFailure = e.getMessage();
      // Retried at every tick while it fails (ENOSPC): one line each, the stack only at DEBUG.
      String message =
          "checkpoint ("
              + reason
              + ") failed; the log keeps every segment since the last checkpoint (LSN "
              + lastLsn
              + ") until one succeeds: "
              + e.getMessage();
      LOG.log(Level.WARNING, message);
      if (LOG.isLoggable(Level.DEBUG)) {
        LOG.log(Level.DEBUG, "stack of the failure above (" + message + ")", e);
      }
      throw e;
    } finally {
      lock.unlock();
    }
  }

  private CheckpointResult doCheckpoint(CheckpointReason reason) throws SnapshotException {
    long activeIndex = activeIndex();
    long bytes = source.appendedBytes();
    StateSource.Capture c = source.capture();
    boolean written = false;
    if (c.lsn() > lastLsn || store.list().isEmpty()) {
      awaitDurable(c.lsn());
      store.write(c.lsn(), c.nodeId(), c.epoch(), c.payload());
      written = true;
      checkpoints++;
      LOG.log(
          Level.DEBUG,
          "checkpoint at LSN {0} ({1}, {2} bytes)",
          c.lsn(),
          reason,
          c.payload().length);
    }
    lastLsn = Math.max(lastLsn, c.lsn());
    lastMillis = clock.millis();
    lastBytes = bytes;
    lastActiveIndex = activeIndex;
    int deleted = retention.collect(false);
    return new CheckpointResult(c.lsn(), reason, written, deleted);
  }

  /**
   * GC with the newest checkpoint alone as the bound ({@link LogRetention#collect(boolean)}), for
   * the size guard when a checkpoint and the ordinary GC left the directory over the cap. Returns
   * how many segments were deleted.
   */
  public int collectUnderPressure() throws SnapshotException {
    lock.lock();
    try {
      return retention.collect(true);
    } finally {
      lock.unlock();
    }
  }

  private void awaitDurable(long lsn) throws SnapshotException {
    if (wal.durableLsn() >= lsn) {
      return;
    }
    try {
      long synced = source.sync().get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (synced < lsn || wal.durableLsn() < lsn) {
        throw new SnapshotException(
            "the log is durable only up to LSN "
                + wal.durableLsn()
                + " after a sync, expected at least "
                + lsn
                + "; no checkpoint written");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SnapshotException("interrupted while forcing the log; no checkpoint written", e);
    } catch (ExecutionException e) {
      throw new SnapshotException(
          "the log could not be forced up to LSN "
              + lsn
              + " ("
              + e.getCause()
              + "); no checkpoint written",
          e.getCause());
    } catch (TimeoutException e) {
      throw new SnapshotException(
          "forcing the log up to LSN " + lsn + " took over " + SYNC_TIMEOUT_SECONDS + " s", e);
    }
  }

  private long activeIndex() {
    List<SegmentInfo> s = wal.segments();
    return s.isEmpty() ? 0 : s.get(s.size() - 1).index();
  }

  /** L of the last checkpoint written or found at start (0: none). */
  public long lastCheckpointLsn() {
    return lastLsn;
  }

  /** Checkpoints written by this instance. */
  public long checkpointsWritten() {
    return checkpoints;
  }

  /** Checkpoint attempts that failed in a row (0 after a success). */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** The last failure's message, or {@code null} after a success. */
  public String lastFailure() {
    return lastFailure;
  }
}
