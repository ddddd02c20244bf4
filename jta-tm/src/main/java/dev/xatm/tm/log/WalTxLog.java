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

/**
 * The {@link TxLog} on the write-ahead log: TM records are WAL records of the types in {@link
 * TxRecordType}, payloads encoded by {@link TxRecordCodec}. Records of types outside the TM's range
 * (other modules, such as snapshots) are ignored by {@link #replay()}.
 *
 * <p>Threading: as thread-safe as {@link Wal}; durable methods block the calling thread until the
 * WAL's fsync covering the record returns.
 */
public final class WalTxLog implements TxLog {
  private final Wal wal;

  /** Takes ownership of an open log; {@link #close()} closes it. */
  public WalTxLog(Wal wal) {
    this.wal = Objects.requireNonNull(wal, "wal");
  }

  public Wal wal() {
    return wal;
  }

  @Override
  public String nodeId() {
    return wal.nodeId();
  }

  @Override
  public LogState replay() throws TxLogException {
    LogStateBuilder b = new LogStateBuilder();
    try (WalCursor cursor = wal.read(1)) {
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
    return b.build();
  }

  private static TxRecord decode(TxRecordType type, WalRecord r) throws TxLogFormatException {
    try {
      return TxRecordCodec.decode(type, r.payload());
    } catch (TxLogFormatException e) {
      throw new TxLogFormatException("at LSN " + r.lsn() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void logEpoch(long epoch, long startedAtMillis) throws TxLogException {
    forced(new TxRecord.EpochStarted(nodeId(), epoch, startedAtMillis));
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
  public boolean openedDespiteDamage() {
    return wal.openReport().damaged();
  }

  @Override
  public CompletableFuture<?> logEnd(Gtrid gtrid, Outcome outcome) {
    return unforced(new TxRecord.End(gtrid, outcome));
  }

  private CompletableFuture<?> unforced(TxRecord record) {
    try {
      return wal.append(record.type().code(), TxRecordCodec.encode(record));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void forced(TxRecord record) throws TxLogException {
    CompletableFuture<Long> f;
    try {
      f = wal.appendForced(record.type().code(), TxRecordCodec.encode(record));
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
