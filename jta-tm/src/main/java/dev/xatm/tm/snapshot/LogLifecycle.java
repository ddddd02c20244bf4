package dev.xatm.tm.snapshot;

import dev.xatm.snapshot.BackupReport;
import dev.xatm.snapshot.Checkpoint;
import dev.xatm.snapshot.CheckpointReason;
import dev.xatm.snapshot.CheckpointResult;
import dev.xatm.snapshot.CheckpointStore;
import dev.xatm.snapshot.LogSnapshots;
import dev.xatm.snapshot.ReplayStart;
import dev.xatm.snapshot.SegmentReservation;
import dev.xatm.snapshot.SnapshotException;
import dev.xatm.snapshot.SnapshotSettings;
import dev.xatm.snapshot.SnapshotStatus;
import dev.xatm.snapshot.StateSource;
import dev.xatm.tm.Scheduler;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.log.TmCheckpointCodec;
import dev.xatm.tm.log.TxLogFormatException;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.wal.Wal;
import jakarta.transaction.SystemException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
  private final Path directory;
  private final XatmConfig.Snapshots settings;
  private final Clock clock;
  private final long startLsn;
  private final CheckpointStore store;
  private final List<Checkpoint> lost; // set aside, pending
  private final ReentrantLock tickLock = new ReentrantLock();
  private LogSnapshots snapshots; // set in start
  private Scheduler scheduler;
  private Scheduler.Cancellable next; // guarded by tickLock
  private boolean closed; // guarded by tickLock
  private boolean closingCheckpointDone; // guarded by tickLock

  private LogLifecycle(
      WalTxLog log,
      XatmConfig.Snapshots settings,
      Clock clock,
      long startLsn,
      CheckpointStore store,
      List<Checkpoint> lost) {
    this.lost = List.copyOf(lost);
    this.log = log;
    this.wal = log.wal();
    this.directory = wal.config().directory();
    this.settings = settings;
    this.clock = clock;
    this.startLsn = startLsn;
    this.store = store;
  }

  /**
   * Chooses the replay start and seeds {@code log} with the checkpoint's state; call before {@code
   * log.replay()}.
   *
   * @param log the TM's log, opened and not yet replayed
   * @param config the TM's configuration (its checkpoint and size settings)
   * @param clock the TM's clock
   * @return the log lifetime, to {@link #start} once the TM is assembled
   * @throws XatmStartupException no valid checkpoint covers the log's first LSN, a checkpoint
   *     belongs to another node, or its payload does not decode
   */
  public static LogLifecycle prepare(WalTxLog log, XatmConfig config, Clock clock) {
    Wal wal = log.wal();
    // The log's own directory, storage and record bound, whether the TM opened the WAL or it was
    // injected (builder.txLog): one way to open a log, whatever the entry point.
    Path directory = wal.config().directory();
    CheckpointStore store = new CheckpointStore(wal.config().storage(), directory);
    long startLsn = 0;
    ReplayStart start;
    try {
      start =
          ReplayStart.choose(
              store, wal.nodeId(), wal.segments(), wal.lastLsn(), log.openedDespiteDamage());
      for (Checkpoint c : start.lost()) {
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
    return new LogLifecycle(log, config.snapshots(), clock, startLsn, store, start.lost());
  }

  /**
   * What the damaged-mode start set aside as lying beyond the end of the log (for the {@code
   * DamageAccepted} record), or empty.
   *
   * @return a description naming the files and the last lost LSN, or empty
   */
  public Optional<String> lostCheckpoints() {
    if (lost.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
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
    for (Checkpoint c : lost) {
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

  /**
   * Starts the periodic checkpoint/size check.
   *
   * @param scheduler the TM's scheduler, which runs the tick
   */
  public void start(Scheduler scheduler) {
    SnapshotSettings s =
        new SnapshotSettings(
            settings.enabled(),
            settings.interval(),
            settings.bytes(),
            settings.onRotation(),
            settings.archiveDir(),
            settings.archiveMaxSize(),
            settings.logMaxSize(),
            XatmConfig.LOG_MAX_SIZE);
    snapshots =
        LogSnapshots.running(
            wal,
            new Source(),
            s,
            () -> TmCheckpointCodec.describeOldest(log.captureState().state(), 3),
            clock,
            startLsn);
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
      if (!snapshots.checkpointsEnabled()) {
        log.captureState(); // keeps the live state bounded when checkpoints are off
      }
      snapshots.tick();
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
    String refusal = snapshots == null ? null : snapshots.refusal();
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
    if (snapshots.checkpointsEnabled() && wal.segments().size() > 1) {
      try {
        snapshots.checkpointNow(CheckpointReason.STARTUP);
      } catch (SnapshotException e) {
        // logged and counted by the checkpointer; the periodic tick tries again
      }
    }
    snapshots.checkSize();
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
    if (snapshots != null && snapshots.checkpointsEnabled()) {
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
        snapshots.checkpointNow(CheckpointReason.CLOSE);
      } catch (SnapshotException e) {
        // logged and counted by the checkpointer; the next start replays from the previous one
      }
    }
  }

  /**
   * Takes a checkpoint now (and GC).
   *
   * @return what the checkpoint did
   * @throws SnapshotException checkpoints are disabled ({@code xatm.checkpoint.enabled = false}) or
   *     the checkpoint failed
   */
  public CheckpointResult checkpointNow() throws SnapshotException {
    if (!snapshots.checkpointsEnabled()) {
      throw new SnapshotException(XatmConfig.CHECKPOINT_ENABLED + " = false");
    }
    return snapshots.checkpointNow(CheckpointReason.EXPLICIT);
  }

  /**
   * Online backup into {@code target}, after a checkpoint so fewer segments are copied.
   *
   * @param target the backup directory
   * @return what was copied and verified
   * @throws SnapshotException the backup failed or does not verify; the log is unaffected
   */
  public BackupReport backup(Path target) throws SnapshotException {
    if (snapshots.checkpointsEnabled()) {
      try {
        snapshots.checkpointNow(CheckpointReason.EXPLICIT);
      } catch (SnapshotException e) {
        LOG.log(Level.WARNING, "backup: the checkpoint before it failed; using the newest one", e);
      }
    }
    return snapshots.backup(target);
  }

  /**
   * Holds the log's segments from {@code fromLsn} on against GC (as a backup does).
   *
   * @param fromLsn the lowest LSN whose segment is kept
   * @param owner who holds it, named by the size cap's refusal
   * @return the hold; close it to release
   */
  public SegmentReservation reserve(long fromLsn, String owner) {
    return snapshots.reserve(fromLsn, owner);
  }

  /** {@return checkpoints written, the newest one's LSN, failures, the size and any refusal} */
  public SnapshotStatus status() {
    return snapshots.status();
  }

  /** Measures the log directory against {@code xatm.log.max-size} now. */
  public void checkSize() {
    snapshots.checkSize();
  }

  /**
   * Measures the log directory now, as the cap counts it.
   *
   * @return the bytes of its segments and checkpoints
   * @throws SnapshotException the directory cannot be listed
   */
  public long measure() throws SnapshotException {
    return snapshots.measure();
  }

  /** {@return the log's checkpoint directory} */
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
