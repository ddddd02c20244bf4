package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalRecord;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link TxLog} on the write-ahead log: TM records are WAL records of the types in {@link
 * TxRecordType}, payloads encoded by {@link TxRecordCodec}. Records of types outside the TM's range
 * (other modules, such as snapshots) are ignored by {@link #replay()}.
 *
 * <p>The view ({@link #view()}, the TM's one copy of what the log says): after {@link #replay()}
 * every record is applied to a {@link LiveLogState} under {@link #appendLock}, the same lock under
 * which it is enqueued in the WAL, so application order is LSN order; {@link #captureState()} takes
 * the state and its LSN atomically under that lock (for checkpoints, docs/snapshots.md). The lock
 * is never held while waiting for an fsync (only, under back-pressure, for room in the WAL's
 * queue). Every WAL append of this process goes through this class, so {@code wal.lastLsn()} read
 * under the lock is the record's LSN.
 *
 * <p>Threading: as thread-safe as {@link Wal}; durable methods block the calling thread until the
 * WAL's fsync covering the record returns. An interrupt does not cut that wait short (the caller
 * must know whether the record is durable); the interrupt flag is restored.
 */
public final class WalTxLog implements TxLog {
  private final Wal wal;
  private final boolean damagedMode;
  private final ReentrantLock appendLock = new ReentrantLock();
  private final LiveLogState live = new LiveLogState(appendLock);
  private long appendedBytes; // guarded by appendLock
  private LogStateBuilder replaySeed; // set by startFrom before replay()
  private final java.util.List<LogState> lostStates = new java.util.ArrayList<>(); // before replay
  private long replayFrom = 1;

  /**
   * Takes ownership of an open log; {@link #close()} closes it. In damaged mode only when the WAL
   * accepted damage when it opened.
   *
   * @param wal the open log
   */
  public WalTxLog(Wal wal) {
    this(wal, false);
  }

  /**
   * Takes ownership of an open log. {@code damagedMode}: the operator opened it in damaged mode
   * ({@code xatm.log.open-damaged}), whether or not the WAL found damage: recovery then presumes
   * nothing and a checkpoint beyond the end of the log is set aside instead of refusing.
   *
   * @param wal the open log
   * @param damagedMode whether the operator asked for damaged mode
   */
  public WalTxLog(Wal wal, boolean damagedMode) {
    this.wal = Objects.requireNonNull(wal, "wal");
    this.damagedMode = damagedMode;
  }

  /** {@return the write-ahead log under this one, for checkpoints and segment deletion} */
  public Wal wal() {
    return wal;
  }

  @Override
  public String nodeId() {
    return wal.nodeId();
  }

  @Override
  public long logId() {
    return TxLog.logIdOf(wal.logId());
  }

  /**
   * Makes {@link #replay()} start from a checkpoint: {@code seed} holds the state after LSN {@code
   * fromLsn - 1}, and only records with LSN &ge; {@code fromLsn} are read. Call before {@code
   * replay()}.
   *
   * @param seed the checkpoint's state; replay applies the later records to it
   * @param fromLsn the first LSN to read
   */
  public void startFrom(LogStateBuilder seed, long fromLsn) {
    appendLock.lock();
    try {
      this.replaySeed = Objects.requireNonNull(seed, "seed");
      this.replayFrom = fromLsn;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Damaged mode: {@link #replay()} merges {@code lost}, the state of a checkpoint beyond the end
   * of the log (durable history the log lost; {@link LogStateBuilder#mergeLost}), after reading the
   * log. Call before {@code replay()}.
   *
   * @param lost the set-aside checkpoint's state
   */
  public void mergeAfterReplay(LogState lost) {
    appendLock.lock();
    try {
      lostStates.add(Objects.requireNonNull(lost, "lost"));
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * The state after exactly the records with LSN &le; the returned LSN, taken atomically with
   * respect to appends; the live state then drops what a checkpoint does not carry (ended
   * transactions), so it stays bounded.
   *
   * @return the state and its LSN
   * @throws IllegalStateException before {@link #replay()}
   */
  public Captured captureState() {
    appendLock.lock();
    try {
      if (!live.isReplayed()) {
        throw new IllegalStateException("captureState() before replay()");
      }
      long lsn = wal.lastLsn();
      return new Captured(live.captureAndTrim(lsn), lsn);
    } finally {
      appendLock.unlock();
    }
  }

  @Override
  public LogView view() {
    return live;
  }

  /**
   * A state and the LSN of the last record it contains.
   *
   * @param state the state after the records up to {@code lsn}
   * @param lsn the last LSN the state contains
   */
  public record Captured(LogState state, long lsn) {}

  /**
   * {@link Wal#sync()} under the append lock (it consumes an LSN).
   *
   * @return the future of {@link Wal#sync()}
   */
  public CompletableFuture<Long> sync() {
    appendLock.lock();
    try {
      return wal.sync();
    } finally {
      appendLock.unlock();
    }
  }

  /** {@return the bytes appended by this process (record headers included)} */
  public long appendedBytes() {
    appendLock.lock();
    try {
      return appendedBytes;
    } finally {
      appendLock.unlock();
    }
  }

  @Override
  public LogState replay() throws TxLogException {
    LogStateBuilder b = replaySeed != null ? replaySeed : new LogStateBuilder();
    try (WalCursor cursor = wal.read(replayFrom)) {
      for (WalRecord r = cursor.next(); r != null; r = cursor.next()) {
        Optional<TxRecordType> type = TxRecordType.of(r.type());
        if (type.isPresent()) {
          b.apply(r.lsn(), decode(type.get(), r));
        } else if (TxRecordType.reservedForTm(r.type())) {
          b.unknownType(r.lsn(), r.type());
        }
      }
    } catch (WalException e) {
      throw new TxLogException("reading the TM log failed: " + e.getMessage(), e);
    }
    appendLock.lock();
    try {
      lostStates.forEach(b::mergeLost);
    } finally {
      appendLock.unlock();
    }
    LogState state = b.build();
    live.replayed(b);
    return state;
  }

  private static TxRecord decode(TxRecordType type, WalRecord r) throws TxLogFormatException {
    try {
      return TxRecordCodec.decode(type, r.payload());
    } catch (TxLogFormatException e) {
      throw new TxLogFormatException("at LSN " + r.lsn() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void logEpoch(long epoch, int incarnation, long startedAtMillis) throws TxLogException {
    forced(new TxRecord.EpochStarted(nodeId(), epoch, startedAtMillis, incarnation));
  }

  @Override
  public void logResourceRegistered(ResourceDescriptor descriptor) throws TxLogException {
    forced(new TxRecord.ResourceRegistered(descriptor));
  }

  @Override
  public CompletableFuture<?> logBegin(Gtrid gtrid, List<Branch> branches, long deadlineMillis) {
    return unforced(new TxRecord.Begin(gtrid, branches, deadlineMillis));
  }

  @Override
  public void logCommitting(Gtrid gtrid, List<Branch> branches) throws TxLogException {
    forced(new TxRecord.Committing(gtrid, branches));
  }

  @Override
  public void logHeuristic(Gtrid gtrid, Branch branch, HeuristicOutcome outcome)
      throws TxLogException {
    forced(new TxRecord.Heuristic(gtrid, branch, outcome));
  }

  @Override
  public void logHeuristicCleared(Gtrid gtrid, Branch branch) throws TxLogException {
    forced(new TxRecord.HeuristicCleared(gtrid, branch));
  }

  @Override
  public void logKeptInDoubt(Gtrid gtrid, String reason) throws TxLogException {
    forced(new TxRecord.KeptInDoubt(gtrid, reason));
  }

  @Override
  public void logDamageAccepted(long epoch, String what) throws TxLogException {
    forced(new TxRecord.DamageAccepted(epoch, what));
  }

  @Override
  public void logDamageCleared(long epoch) throws TxLogException {
    forced(new TxRecord.DamageCleared(epoch));
  }

  @Override
  public boolean openedDespiteDamage() {
    return damagedMode || wal.openReport().damaged();
  }

  @Override
  public CompletableFuture<?> logEnd(Gtrid gtrid, Outcome outcome) {
    return unforced(new TxRecord.End(gtrid, outcome));
  }

  private CompletableFuture<?> unforced(TxRecord record) {
    try {
      return enqueue(record, false);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Enqueues and applies to the live state under the append lock; never waits for an fsync. */
  private CompletableFuture<Long> enqueue(TxRecord record, boolean force) {
    byte[] payload = TxRecordCodec.encode(record);
    appendLock.lock();
    try {
      CompletableFuture<Long> f =
          force
              ? wal.appendForced(record.type().code(), payload)
              : wal.append(record.type().code(), payload);
      if (!f.isCompletedExceptionally()) {
        live.apply(wal.lastLsn(), record);
        appendedBytes += 18 + payload.length; // record header, payload, end mark (wal/FORMAT.md)
      }
      return f;
    } finally {
      appendLock.unlock();
    }
  }

  private void forced(TxRecord record) throws TxLogException {
    CompletableFuture<Long> f;
    try {
      f = enqueue(record, true);
    } catch (RuntimeException e) {
      throw new TxLogException(record.type() + " record could not be appended: " + e, e);
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return;
        } catch (InterruptedException e) {
          // The record may still become durable; the caller must know whether it did, so wait.
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new TxLogException(
          record.type() + " record was not made durable: " + cause.getMessage(), cause);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() throws TxLogException {
    try {
      wal.close();
    } catch (WalException e) {
      throw new TxLogException("closing the TM log failed: " + e.getMessage(), e);
    }
  }
}
