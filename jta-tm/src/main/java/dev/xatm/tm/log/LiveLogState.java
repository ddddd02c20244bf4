package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The {@link LogView} of a {@link TxLog} implementation: one {@link LogStateBuilder} fed with every
 * record under the log's append lock (the same lock under which the record gets its LSN, so the
 * view is always a prefix of the log in LSN order). Records appended before the log was replayed
 * are not applied: the replay reads them from the log itself.
 *
 * <p>Thread-safe; the lock is the owning log's.
 */
final class LiveLogState implements LogView {
  private final ReentrantLock lock;
  private LogStateBuilder state = new LogStateBuilder(); // guarded by lock
  private boolean replayed; // guarded by lock
  private int observers; // guarded by lock
  private volatile Map<String, ResourceDescriptor> resources = Map.of(); // copy-on-write

  LiveLogState(ReentrantLock lock) {
    this.lock = Objects.requireNonNull(lock, "lock");
  }

  /** The replay built {@code replayedState}: from now on appends are applied to it. */
  void replayed(LogStateBuilder replayedState) {
    lock.lock();
    try {
      if (!replayed) {
        state = replayedState;
        replayed = true;
        resources = replayedState.resourcesCopy();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Applies a record just appended at {@code lsn}; the caller holds the append lock. */
  void apply(long lsn, TxRecord record) {
    if (!lock.isHeldByCurrentThread()) {
      throw new IllegalStateException("apply outside the log's append lock");
    }
    if (!replayed) {
      return;
    }
    state.apply(lsn, record);
    if (record instanceof TxRecord.ResourceRegistered r) {
      Map<String, ResourceDescriptor> next = new HashMap<>(resources);
      next.put(r.descriptor().resourceId(), r.descriptor());
      resources = Map.copyOf(next);
    }
  }

  /** True once {@link #replayed} ran. */
  boolean isReplayed() {
    lock.lock();
    try {
      return replayed;
    } finally {
      lock.unlock();
    }
  }

  /**
   * For a checkpoint, under the append lock held by the caller: the state after exactly the records
   * applied so far; the view then drops what a checkpoint does not carry (ended transactions, kept
   * while an observation is open), so it stays bounded.
   */
  LogState captureAndTrim(long lsn) {
    if (!lock.isHeldByCurrentThread()) {
      throw new IllegalStateException("capture outside the log's append lock");
    }
    LogState captured = state.build();
    LogStateBuilder trimmed = TmCheckpointCodec.seed(captured, lsn);
    if (observers > 0) {
      trimmed.carryEnded(state);
    }
    state = trimmed;
    return captured;
  }

  private <T> T read(Function<LogStateBuilder, T> query) {
    lock.lock();
    try {
      return query.apply(state);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public LogState snapshot() {
    return read(LogStateBuilder::build);
  }

  @Override
  public Optional<LogState.DecidedTransaction> decided(Gtrid g) {
    return Optional.ofNullable(read(s -> s.decided(g)));
  }

  @Override
  public Optional<LogState.BegunTransaction> begun(Gtrid g) {
    return Optional.ofNullable(read(s -> s.begun(g)));
  }

  @Override
  public Optional<Outcome> endedOutcome(Gtrid g) {
    return Optional.ofNullable(read(s -> s.endedOutcome(g)));
  }

  @Override
  public Optional<String> keptInDoubt(Gtrid g) {
    return Optional.ofNullable(read(s -> s.keptInDoubt(g)));
  }

  @Override
  public boolean started(long epoch, int incarnation) {
    return read(s -> s.isStarted(epoch, incarnation));
  }

  @Override
  public Map<String, ResourceDescriptor> resources() {
    return resources;
  }

  @Override
  public List<LogState.HeuristicEntry> heuristics() {
    return read(LogStateBuilder::heuristicsCopy);
  }

  @Override
  public SortedMap<Long, String> damageAccepted() {
    return read(LogStateBuilder::damageAcceptedCopy);
  }

  @Override
  public Observation observe() {
    lock.lock();
    try {
      observers++;
    } finally {
      lock.unlock();
    }
    return new Observation() {
      private boolean closed;

      @Override
      public void close() {
        lock.lock();
        try {
          if (!closed) {
            closed = true;
            observers--;
          }
        } finally {
          lock.unlock();
        }
      }
    };
  }
}
