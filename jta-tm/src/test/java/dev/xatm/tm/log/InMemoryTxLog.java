package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A {@link TxLog} in memory for unit tests. Records go through {@link TxRecordCodec} so tests
 * exercise the real encoding. Faults: {@link #poison(IOException)} makes every later append fail
 * (like a poisoned WAL); {@link #failNextForced(IOException)} fails one forced append.
 *
 * <p>Thread-safe (one lock).
 */
public final class InMemoryTxLog implements TxLog {
  /** One stored record. */
  public record Entry(long lsn, TxRecordType type, byte[] payload, boolean forced) {
    public TxRecord decode() {
      try {
        return TxRecordCodec.decode(type, payload);
      } catch (TxLogFormatException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final String nodeId;
  private final long logId;
  private final ReentrantLock lock = new ReentrantLock();
  private final LiveLogState live = new LiveLogState(lock);
  private final List<Entry> entries = new ArrayList<>();
  private IOException poisonedBy;
  private IOException nextForcedFailure;
  private IOException nextForceFailure;
  private Consumer<TxRecord> observer = r -> {};
  private boolean closed;
  private volatile boolean damaged;

  /** A new log with a random identity. */
  public InMemoryTxLog(String nodeId) {
    this(nodeId, TxLog.logIdOf(java.util.UUID.randomUUID()));
  }

  /** A log with this identity (a copy of another log keeps its identity). */
  public InMemoryTxLog(String nodeId, long logId) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    if (logId == 0) {
      throw new IllegalArgumentException("a log id is never 0");
    }
    this.logId = logId;
    live.replayed(new LogStateBuilder()); // a new log: the view follows every append
  }

  @Override
  public long logId() {
    return logId;
  }

  /** Every later append fails with this cause. */
  public void poison(IOException cause) {
    lock.lock();
    try {
      poisonedBy = cause;
    } finally {
      lock.unlock();
    }
  }

  /** The next forced append fails with this cause (and poisons the log, as the WAL does). */
  public void failNextForced(IOException cause) {
    lock.lock();
    try {
      nextForcedFailure = cause;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next forced append is accepted (stored and applied to the view, as the WAL enqueues it) and
   * then its force fails and poisons the log: the record may or may not be durable, exactly as
   * after a failed fsync.
   */
  public void failNextForceAfterAppend(IOException cause) {
    lock.lock();
    try {
      nextForceFailure = cause;
    } finally {
      lock.unlock();
    }
  }

  /** Called with every record accepted, on the appending thread, before the append returns. */
  public void observe(Consumer<TxRecord> observer) {
    this.observer = Objects.requireNonNull(observer);
  }

  /** A copy of the stored records, in LSN order. */
  public List<Entry> entries() {
    lock.lock();
    try {
      return List.copyOf(entries);
    } finally {
      lock.unlock();
    }
  }

  /** The decoded records, in LSN order. */
  public List<TxRecord> records() {
    return entries().stream().map(Entry::decode).toList();
  }

  private void append(TxRecord record, boolean forced) throws TxLogException {
    byte[] payload = TxRecordCodec.encode(record);
    lock.lock();
    try {
      if (closed) {
        throw new TxLogException("in-memory TM log is closed");
      }
      if (poisonedBy != null) {
        throw new TxLogException("in-memory TM log is poisoned: " + poisonedBy, poisonedBy);
      }
      if (forced && nextForcedFailure != null) {
        poisonedBy = nextForcedFailure;
        nextForcedFailure = null;
        throw new TxLogException(
            "in-memory TM log failed a forced append: " + poisonedBy, poisonedBy);
      }
      entries.add(new Entry(entries.size() + 1, record.type(), payload, forced));
      live.apply(entries.size(), record);
      if (forced && nextForceFailure != null) {
        poisonedBy = nextForceFailure;
        nextForceFailure = null;
        throw new TxLogException(
            "in-memory TM log failed to force a record it accepted: " + poisonedBy, poisonedBy);
      }
    } finally {
      lock.unlock();
    }
    observer.accept(record);
  }

  private CompletableFuture<?> appendUnforced(TxRecord record) {
    try {
      append(record, false);
      return CompletableFuture.completedFuture(null);
    } catch (TxLogException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public LogView view() {
    return live;
  }

  @Override
  public LogState replay() throws TxLogException {
    LogStateBuilder b = new LogStateBuilder();
    for (Entry e : entries()) {
      b.apply(e.lsn(), TxRecordCodec.decode(e.type(), e.payload()));
    }
    return b.build();
  }

  @Override
  public void logEpoch(long epoch, int incarnation, long startedAtMillis) throws TxLogException {
    append(new TxRecord.EpochStarted(nodeId, epoch, startedAtMillis, incarnation), true);
  }

  @Override
  public void logResourceRegistered(ResourceDescriptor descriptor) throws TxLogException {
    append(new TxRecord.ResourceRegistered(descriptor), true);
  }

  @Override
  public CompletableFuture<?> logBegin(Gtrid gtrid, List<Branch> branches, long deadlineMillis) {
    return appendUnforced(new TxRecord.Begin(gtrid, branches, deadlineMillis));
  }

  @Override
  public void logCommitting(Gtrid gtrid, List<Branch> branches) throws TxLogException {
    append(new TxRecord.Committing(gtrid, branches), true);
  }

  @Override
  public void logHeuristic(Gtrid gtrid, Branch branch, HeuristicOutcome outcome)
      throws TxLogException {
    append(new TxRecord.Heuristic(gtrid, branch, outcome), true);
  }

  @Override
  public void logHeuristicCleared(Gtrid gtrid, Branch branch) throws TxLogException {
    append(new TxRecord.HeuristicCleared(gtrid, branch), true);
  }

  @Override
  public void logKeptInDoubt(Gtrid gtrid, String reason) throws TxLogException {
    append(new TxRecord.KeptInDoubt(gtrid, reason), true);
  }

  @Override
  public void logDamageAccepted(long epoch, String what) throws TxLogException {
    append(new TxRecord.DamageAccepted(epoch, what), true);
  }

  @Override
  public void logDamageCleared(long epoch) throws TxLogException {
    append(new TxRecord.DamageCleared(epoch), true);
  }

  /**
   * Does what a checkpoint followed by segment GC does to a WAL: afterwards the log holds exactly
   * what a checkpoint carries ({@link TmCheckpointCodec}), every other record is gone.
   */
  public void compactLikeACheckpoint() throws TxLogException {
    LogState state = replay();
    lock.lock();
    try {
      long lsn = entries.size();
      entries.clear();
      List<Entry> kept = new ArrayList<>();
      state.starts().entrySet().stream()
          .sorted(java.util.Map.Entry.comparingByKey())
          .forEach(
              s ->
                  s.getValue().stream()
                      .sorted()
                      .forEach(
                          inc ->
                              kept.add(
                                  entry(new TxRecord.EpochStarted(nodeId, s.getKey(), 0, inc)))));
      for (TmCheckpointCodec.Entry e : TmCheckpointCodec.entries(state, lsn)) {
        if (!(e.record() instanceof TxRecord.EpochStarted)) {
          kept.add(entry(e.record()));
        }
      }
      for (int i = 0; i < kept.size(); i++) {
        Entry e = kept.get(i);
        entries.add(new Entry(i + 1, e.type(), e.payload(), true));
      }
    } finally {
      lock.unlock();
    }
  }

  private static Entry entry(TxRecord r) {
    return new Entry(0, r.type(), TxRecordCodec.encode(r), true);
  }

  /** Makes {@link #openedDespiteDamage()} answer true (tests of recovery on a damaged log). */
  public void markOpenedDespiteDamage() {
    damaged = true;
  }

  @Override
  public boolean openedDespiteDamage() {
    return damaged;
  }

  @Override
  public CompletableFuture<?> logEnd(Gtrid gtrid, Outcome outcome) {
    return appendUnforced(new TxRecord.End(gtrid, outcome));
  }

  /** Closing keeps the records readable, so a test can "restart" on the same instance. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  /** Reopens after {@link #close()}, keeping the records (a simulated restart). */
  public void reopen() {
    lock.lock();
    try {
      closed = false;
      poisonedBy = null;
    } finally {
      lock.unlock();
    }
  }
}
