package dev.xatm.tm.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many transactions this process began and how each one finished. Counted once per transaction,
 * where it reaches its terminal state. Thread-safe; contention-free on the hot path.
 */
public final class TxCounters {
  private final LongAdder begun = new LongAdder();
  private final LongAdder committed = new LongAdder();
  private final LongAdder rolledBack = new LongAdder();
  private final LongAdder heuristic = new LongAdder();

  void began() {
    begun.increment();
  }

  void finished(TxState state) {
    switch (state) {
      case COMMITTED -> committed.increment();
      case ROLLED_BACK -> rolledBack.increment();
      case HEURISTIC_AFTER_COMMIT, HEURISTIC_AFTER_ROLLBACK -> heuristic.increment();
      default -> {
        // Not terminal: nothing to count (finish is only reached in a terminal state).
      }
    }
  }

  public long begun() {
    return begun.sum();
  }

  public long committed() {
    return committed.sum();
  }

  public long rolledBack() {
    return rolledBack.sum();
  }

  public long heuristic() {
    return heuristic.sum();
  }
}
