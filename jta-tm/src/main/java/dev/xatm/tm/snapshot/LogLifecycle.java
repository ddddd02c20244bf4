package dev.xatm.tm.snapshot;

import dev.xatm.snapshot.Backup;
import dev.xatm.snapshot.BackupReport;
import dev.xatm.snapshot.CheckpointStore;
import dev.xatm.snapshot.CheckpointTriggers;
import dev.xatm.snapshot.Checkpointer;
import dev.xatm.snapshot.LogRetention;
import dev.xatm.snapshot.LogSizeGuard;
import dev.xatm.snapshot.ReplayStart;
import dev.xatm.snapshot.SegmentArchive;
import dev.xatm.snapshot.SegmentReservations;
import dev.xatm.snapshot.SnapshotException;
import dev.xatm.snapshot.StateSource;
import dev.xatm.tm.Scheduler;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.log.TmCheckpointCodec;
import dev.xatm.tm.log.TxLogFormatException;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.wal.Wal;
import dev.xatm.wal.storage.Storage;
import jakarta.transaction.SystemException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The TM's log lifetime (docs/snapshots.md): chooses where startup replay begins (newest valid
 * checkpoint, or refuses when the log cannot be covered), then runs the checkpointer and the log
 * size guard on the TM's scheduler, refuses new transactions while the log is over its cap, and
 * takes online backups.
 *
 * <p>A start (after recovery) and a clean close each take a checkpoint, so short-lived processes do
 * not pile up one segment per start (docs/snapshots.md, "Restarts").
 *
 * <p>Threading: {@link #prepare}, {@link #start} and {@link #afterStartup} once, at TM start;
 * {@link #checkpointBeforeClose} once, at TM close; {@link #checkAdmission()} from any thread (one
 * volatile read); {@link #backup} from any thread; the periodic tick runs on the scheduler.
 */
public final class LogLifecycle implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(LogLifecycle.class.getName());
  private static final Duration MAX_TICK = Duration.ofSeconds(1);
  private static final long CLOSE_SYNC_SECONDS = 60;

  private final WalTxLog log;
  private final Wal wal;
  private final Storage storage;
  private final Path directory;
  private final XatmConfig.Snapshots settings;
  private final int maxRecordSize;
  private final Clock clock;
  private final long startLsn;
  private final CheckpointStore store;
  private final java.util.List<dev.xatm.snapshot.Checkpoint> lost; // set aside, pending
  private final SegmentReservations reservations = new SegmentReservations();
  private final ReentrantLock tickLock = new ReentrantLock();
  private Checkpointer checkpointer; // null when disabled; set in start
  private LogSizeGuard guard;
  private Backup backup;
  private Scheduler scheduler;
  private Scheduler.Cancellable next; // guarded by tickLock
  private boolean closed; // guarded by tickLock
  private boolean closingCheckpointDone; // guarded by tickLock

  private LogLifecycle(
      WalTxLog log,
      Storage storage,
      Path directory,
      XatmConfig.Snapshots settings,
      int maxRecordSize,
      Clock clock,
      long startLsn,
      java.util.List<dev.xatm.snapshot.Checkpoint> lost) {
    this.lost = java.util.List.copyOf(lost);
    this.log = log;
    this.wal = log.wal();
    this.storage = storage;
    this.directory = directory;
    this.settings = settings;
    this.maxRecordSize = maxRecordSize;
    this.clock = clock;
    this.startLsn = startLsn;
    this.store = new CheckpointStore(storage, directory);
  }

  /**
   * Chooses the replay start and seeds {@code log} with the checkpoint's state; call before {@code
   * log.replay()}.
   *
   * @throws XatmStartupException no valid checkpoint covers the log's first LSN, a checkpoint
   *     belongs to another node, or its payload does not decode
   */
  public static LogLifecycle prepare(WalTxLog log, XatmConfig config, Clock clock) {
    Wal wal = log.wal();
    // The log's own directory, storage and record bound, whether the TM opened the WAL or it was
    // injected (builder.txLog): one way to open a log, whatever the entry point.
    Storage storage = wal.config().storage();
    Path directory = wal.config().directory();
    int maxRecordSize = wal.config().maxRecordSize();
    CheckpointStore store = new CheckpointStore(storage, directory);
    long startLsn = 0;
    ReplayStart start;
    try {
      start =
          ReplayStart.choose(
              store, wal.nodeId(), wal.segments(), wal.lastLsn(), log.openedDespiteDamage());
      for (dev.xatm.snapshot.Checkpoint c : start.lost()) {
        // Durable history the log lost: what it decided stays decided (I3).
        log.mergeAfterReplay(TmCheckpointCodec.decode(c.payload()).builder().build());
      }
      if (start.checkpoint().isPresent()) {
        TmCheckpointCodec.Seed seed = TmCheckpointCodec.decode(start.checkpoint().get().payload());
        log.startFrom(seed.builder(), start.fromLsn());
        startLsn = start.checkpoint().get().lsn();
        LOG.log(
            Level.INFO,
            "starting from "
                + start.checkpoint().get()
                + "; replaying LSN "
                + start.fromLsn()
                + " onward");
      }
    } catch (SnapshotException | TxLogFormatException e) {
      throw new XatmStartupException(
          "the transaction log in " + directory + " cannot be started: " + e.getMessage(), e);
    }
    return new LogLifecycle(
        log, storage, directory, config.snapshots(), maxRecordSize, clock, startLsn, start.lost());
  }

  /**
   * What the damaged-mode start set aside as lying beyond the end of the log (for the {@code
   * DamageAccepted} record), or empty.
   */
  public java.util.Optional<String> lostCheckpoints() {
    if (lost.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "checkpoint(s) beyond the end of the log (records up to LSN "
            + lost.get(lost.size() - 1).lsn()
            + " were lost), their decided transactions kept: "
            + lost.stream().map(c -> c.file().getFileName().toString()).toList());
  }

  /**
   * Once the damage is durable in the log ({@code DamageAccepted}): the set-aside checkpoints
   * become {@code .ckpt.beyond-end} (kept for the operator) and no longer stop a strict start. A
   * crash before this leaves them pending: the next start must be in damaged mode again.
   */
  public void acceptLostCheckpoints() {
    if (lost.isEmpty()) {
      return;
    }
    // What was merged from them lives only in memory until a checkpoint carries it: write one
    // (checkpoints enabled or not) before they stop being evidence, or the next start loses it.
    try {
      WalTxLog.Captured c = log.captureState();
      long synced = log.sync().get(60, java.util.concurrent.TimeUnit.SECONDS);
      if (synced < c.lsn() || wal.durableLsn() < c.lsn()) {
        throw new SnapshotException("the log is not durable up to LSN " + c.lsn());
      }
      store.write(
          c.lsn(), wal.nodeId(), c.state().epoch(), TmCheckpointCodec.encode(c.state(), c.lsn()));
    } catch (SnapshotException
        | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      throw new XatmStartupException(
          "the state merged from the checkpoint(s) beyond the end of the log could not be"
              + " checkpointed ("
              + e
              + "); they stay set aside as pending, and the next start must be in damaged mode"
              + " again",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new XatmStartupException("interrupted while checkpointing the merged state", e);
    }
    for (dev.xatm.snapshot.Checkpoint c : lost) {
      try {
        store.acceptSetAside(c.lsn());
      } catch (SnapshotException e) {
        LOG.log(
            Level.WARNING,
            "accepting the set-aside "
                + c.file()
                + " failed; the next start refuses until it is"
                + " started in damaged mode again",
            e);
      }
    }
  }

  /** Starts the periodic checkpoint/size check on {@code scheduler}. */
  public void start(Scheduler scheduler) {
    SegmentArchive archive =
        settings.archiveDir() == null
            ? null
            : new SegmentArchive(storage, settings.archiveDir(), settings.archiveMaxSize());
    if (settings.enabled()) {
      LogRetention retention = new LogRetention(wal, directory, store, reservations, archive);
      checkpointer =
          new Checkpointer(
              wal,
              store,
              retention,
              new Source(),
              new CheckpointTriggers(settings.interval(), settings.bytes(), settings.onRotation()),
              clock,
              startLsn);
    }
    guard =
        new LogSizeGuard(
            storage,
            directory,
            settings.logMaxSize(),
            XatmConfig.LOG_MAX_SIZE,
            checkpointer,
            reservations,
            () -> TmCheckpointCodec.describeOldest(log.captureState().state(), 3));
    backup =
        new Backup(
            wal, directory, store, reservations, checkpointer, storage, maxRecordSize, clock);
    this.scheduler = scheduler;
    scheduleNext();
  }

  private Duration tickPeriod() {
    Duration i = settings.interval();
    return i.isZero() || i.compareTo(MAX_TICK) > 0 ? MAX_TICK : i;
  }

  private void scheduleNext() {
    tickLock.lock();
    try {
      if (!closed) {
        next = scheduler.schedule(this::tick, tickPeriod());
      }
    } finally {
      tickLock.unlock();
    }
  }

  /** One round: checkpoint if a trigger is due, then the size check. Never throws. */
  public void tick() {
    try {
      log.flushDeferred(); // bounds how long a deferred Begin or End waits for a ride

      if (checkpointer != null) {
        checkpointer.tick();
      } else {
        log.captureState(); // keeps the live state bounded when checkpoints are off
      }
      guard.check();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "log lifetime tick failed; retrying at the next one", e);
    } finally {
      scheduleNext();
    }
  }

  /**
   * @throws SystemException while the log directory is over {@code xatm.log.max-size}, naming what
   *     pins it
   */
  public void checkAdmission() throws SystemException {
    String refusal = guard == null ? null : guard.refusalAfterRecheck();
    if (refusal != null) {
      throw new SystemException("xatm refuses new transactions: " + refusal);
    }
  }

  /**
   * After startup recovery (docs/snapshots.md, "Restarts"): every start opens a new segment, so a
   * process that lives less than the checkpoint interval would otherwise never checkpoint and each
   * start would leave one more segment. When the log holds a segment besides the active one, a
   * checkpoint (and GC) is taken now; then the size cap is checked at once rather than at the first
   * tick. Failures are logged and counted by the checkpointer; the start goes on.
   */
  public void afterStartup() {
    if (checkpointer != null && wal.segments().size() > 1) {
      try {
        checkpointer.checkpointNow(Checkpointer.Reason.STARTUP);
      } catch (SnapshotException e) {
        // logged and counted by the checkpointer; the periodic tick tries again
      }
    }
    guard.check();
  }

  /**
   * On a clean close, after the TM stopped its work and before the log closes: a last checkpoint
   * (and GC), so the next start replays nothing and can delete this run's segments. At most once; a
   * failure (a poisoned log gets no checkpoint) is logged by the checkpointer and the close goes
   * on.
   */
  public void checkpointBeforeClose() {
    tickLock.lock();
    try {
      if (closingCheckpointDone) {
        return;
      }
      closingCheckpointDone = true;
    } finally {
      tickLock.unlock();
    }
    if (checkpointer != null) {
      try {
        // Force first: the checkpoint then covers the log's last record, so its SYNC record does
        // not land after it and keep this run's segment alive at the next start's GC.
        log.sync().get(CLOSE_SYNC_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        // the checkpoint below fails the same way and says so
      }
      try {
        checkpointer.checkpointNow(Checkpointer.Reason.CLOSE);
      } catch (SnapshotException e) {
        // logged and counted by the checkpointer; the next start replays from the previous one
      }
    }
  }

  /** Takes a checkpoint now (and GC); empty when checkpoints are disabled. */
  public Checkpointer.Result checkpointNow() throws SnapshotException {
    if (checkpointer == null) {
      throw new SnapshotException(XatmConfig.CHECKPOINT_ENABLED + " = false");
    }
    return checkpointer.checkpointNow(Checkpointer.Reason.EXPLICIT);
  }

  /** Online backup into {@code target}; see {@link Backup}. */
  public BackupReport backup(Path target) throws SnapshotException {
    if (checkpointer != null) {
      try {
        checkpointer.checkpointNow(Checkpointer.Reason.EXPLICIT); // fewer segments to copy
      } catch (SnapshotException e) {
        LOG.log(Level.WARNING, "backup: the checkpoint before it failed; using the newest one", e);
      }
    }
    return backup.run(target);
  }

  public Checkpointer checkpointer() {
    return checkpointer;
  }

  public SegmentReservations reservations() {
    return reservations;
  }

  public LogSizeGuard sizeGuard() {
    return guard;
  }

  public CheckpointStore checkpoints() {
    return store;
  }

  @Override
  public void close() {
    tickLock.lock();
    try {
      closed = true;
      if (next != null) {
        next.cancel();
      }
    } finally {
      tickLock.unlock();
    }
  }

  private final class Source implements StateSource {
    @Override
    public Capture capture() {
      WalTxLog.Captured c = log.captureState();
      byte[] payload = TmCheckpointCodec.encode(c.state(), c.lsn());
      return new Capture(c.lsn(), wal.nodeId(), c.state().epoch(), payload);
    }

    @Override
    public CompletableFuture<Long> sync() {
      return log.sync();
    }

    @Override
    public long appendedBytes() {
      return log.appendedBytes();
    }
  }
}
