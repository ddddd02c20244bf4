package dev.xatm.snapshot;

import dev.xatm.snapshot.internal.Backup;
import dev.xatm.snapshot.internal.CheckpointTriggers;
import dev.xatm.snapshot.internal.Checkpointer;
import dev.xatm.snapshot.internal.LogRetention;
import dev.xatm.snapshot.internal.LogSizeGuard;
import dev.xatm.snapshot.internal.SegmentArchive;
import dev.xatm.snapshot.internal.SegmentReservations;
import dev.xatm.wal.Wal;
import dev.xatm.wal.storage.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The snapshot subsystem of one log, assembled from its settings (docs/snapshots.md): checkpoints
 * on their triggers, GC of covered segments (or their archive), the log directory's size cap and
 * online backup. The log's owner supplies its state ({@link StateSource}) and drives the rounds: it
 * calls {@link #tick()} periodically and {@link #refusal()} before admitting new work. The
 * checkpoint directory on its own, for starting and for offline tools, is {@link CheckpointStore}.
 *
 * <p>Threading: every method may be called from any thread; one checkpoint (and GC) runs at a time,
 * and a backup runs beside appends and checkpoints.
 */
public final class LogSnapshots {
  private final Clock clock;
  private final CheckpointStore store;
  private final SegmentReservations reservations = new SegmentReservations();
  private final Checkpointer checkpointer; // null: checkpoints disabled (or a stopped log)
  private final LogSizeGuard guard; // null: a stopped log
  private final Backup backup;

  private LogSnapshots(
      Wal wal,
      StateSource source,
      SnapshotSettings settings,
      Supplier<String> unfinished,
      Clock clock,
      long startLsn) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Storage storage = wal.config().storage();
    Path directory = wal.config().directory();
    this.store = new CheckpointStore(storage, directory);
    if (settings != null && settings.checkpoints()) {
      SegmentArchive archive =
          settings.archiveDir() == null
              ? null
              : new SegmentArchive(storage, settings.archiveDir(), settings.archiveMaxBytes());
      this.checkpointer =
          new Checkpointer(
              wal,
              store,
              new LogRetention(wal, directory, store, reservations, archive),
              source,
              new CheckpointTriggers(settings.interval(), settings.bytes(), settings.onRotation()),
              clock,
              startLsn);
    } else {
      this.checkpointer = null;
    }
    this.guard =
        settings == null
            ? null
            : new LogSizeGuard(
                storage,
                directory,
                settings.logMaxBytes(),
                settings.logMaxKey(),
                checkpointer,
                reservations,
                unfinished);
    this.backup =
        new Backup(
            wal,
            directory,
            store,
            reservations,
            checkpointer,
            storage,
            wal.config().maxRecordSize(),
            clock);
  }

  /**
   * The subsystem of a running log, with its own directory, storage and record bound.
   *
   * @param wal the running log; its directory, storage and record bound are used
   * @param source the owner's state, captured for each checkpoint
   * @param settings triggers, archive and size cap
   * @param unfinished describes the oldest unfinished work (for the size cap's refusal message)
   * @param clock times the interval trigger and stamps reservations
   * @param startLsn L of the checkpoint the log was started from (0: none)
   * @return the subsystem; no round runs until the owner calls {@link #tick()}
   */
  public static LogSnapshots running(
      Wal wal,
      StateSource source,
      SnapshotSettings settings,
      Supplier<String> unfinished,
      Clock clock,
      long startLsn) {
    return new LogSnapshots(
        Objects.requireNonNull(wal, "wal"),
        Objects.requireNonNull(source, "source"),
        Objects.requireNonNull(settings, "settings"),
        Objects.requireNonNull(unfinished, "unfinished"),
        clock,
        startLsn);
  }

  /**
   * Backup and verification of a log nobody runs (offline tools): no checkpoint is taken and no cap
   * applies; {@code wal} is a read-only view of the stopped log.
   *
   * @param wal a read-only view of the stopped log
   * @param clock stamps the backup's reservation
   * @return the subsystem, with checkpoints disabled
   */
  public static LogSnapshots stopped(Wal wal, Clock clock) {
    return new LogSnapshots(Objects.requireNonNull(wal, "wal"), null, null, null, clock, 0);
  }

  /** {@return whether checkpoints are taken (the settings enable them and the log is running)} */
  public boolean checkpointsEnabled() {
    return checkpointer != null;
  }

  /** {@return the log's checkpoint directory} */
  public CheckpointStore checkpoints() {
    return store;
  }

  /**
   * One periodic round: a checkpoint if a trigger is due, then the size check. Failures are logged
   * and counted in {@link #status()}; the next round tries again.
   */
  public void tick() {
    if (checkpointer != null) {
      checkpointer.tick();
    }
    checkSize();
  }

  /**
   * Takes a checkpoint now (unless nothing was appended since the last one), then GC.
   *
   * @param reason why, recorded in the result
   * @return what the round did
   * @throws SnapshotException checkpoints are disabled, or the checkpoint failed (logged and
   *     counted as well)
   */
  public CheckpointResult checkpointNow(CheckpointReason reason) throws SnapshotException {
    if (checkpointer == null) {
      throw new SnapshotException("checkpoints are disabled for this log");
    }
    return checkpointer.checkpointNow(reason);
  }

  /** Measures the log directory against its cap and sets or clears the refusal. */
  public void checkSize() {
    if (guard != null) {
      guard.check();
    }
  }

  /**
   * The log directory's size now: its segments and checkpoint files, in bytes (what the cap
   * counts). Sets no refusal; {@link #checkSize()} does.
   *
   * @return the size in bytes; 0 for a stopped log
   * @throws SnapshotException the directory cannot be listed or a file's size read
   */
  public long measure() throws SnapshotException {
    return guard == null ? 0 : guard.measure();
  }

  /**
   * {@return why new work must be refused (the log directory is over its cap, naming what pins it),
   * or {@code null}} A refusal made before a reservation was released is re-checked first. Cheap
   * when nothing changed: one volatile read on the admission path.
   */
  public String refusal() {
    return guard == null ? null : guard.refusalAfterRecheck();
  }

  /**
   * Backs the log up into {@code target} (created if absent) and verifies the copy: the newest
   * checkpoint and every segment from it on, hard-linked where possible, incremental into an
   * earlier backup in the same target.
   *
   * @param target the backup directory
   * @return what was linked, copied, kept and removed, and the LSNs the backup covers
   * @throws BackupVerificationException the copy does not verify
   * @throws SnapshotException the backup failed; the log is unaffected
   */
  public BackupReport backup(Path target) throws SnapshotException {
    return backup.run(target);
  }

  /**
   * Verifies a backup read-only, as {@link #backup} does after copying.
   *
   * @param target the backup directory
   * @return what the backup holds (no file linked, copied or removed)
   * @throws BackupVerificationException the copy does not verify, saying where
   * @throws SnapshotException the backup cannot be read
   */
  public BackupReport verifyBackup(Path target) throws SnapshotException {
    return backup.verifyOnly(target);
  }

  /**
   * Holds every segment from {@code fromLsn} on against GC until the reservation is closed.
   *
   * @param fromLsn the lowest LSN whose segment is kept
   * @param owner who holds it, named in the size cap's refusal (e.g. "online backup to /mnt/b")
   * @return the hold; close it to release the segments
   */
  public SegmentReservation reserve(long fromLsn, String owner) {
    return reservations.reserve(fromLsn, owner, clock.millis());
  }

  /** {@return where checkpoints and the size cap stand now} */
  public SnapshotStatus status() {
    return new SnapshotStatus(
        checkpointer == null ? 0 : checkpointer.checkpointsWritten(),
        checkpointer == null ? 0 : checkpointer.lastCheckpointLsn(),
        checkpointer == null ? 0 : checkpointer.consecutiveFailures(),
        checkpointer == null ? null : checkpointer.lastFailure(),
        guard == null ? 0 : guard.lastMeasured(),
        guard == null ? null : guard.refusal());
  }
}
