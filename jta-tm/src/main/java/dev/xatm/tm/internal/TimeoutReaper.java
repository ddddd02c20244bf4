package dev.xatm.tm.internal;

import dev.xatm.tm.Scheduler;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Ends transactions past their deadline. An expired transaction is marked rollback-only at once; it
 * is rolled back by the reaper only when that cannot race the application: nobody is completing it,
 * no XA start/end is in progress on it (the reaper only {@code tryLock}s), and no association is
 * active (a resource between start and end may be in use by the owner thread right now). Otherwise
 * the owner finds it rollback-only and its commit throws {@code RollbackException}; the reaper
 * tries again at its next tick.
 *
 * <p>Threading: runs on the injected {@link Scheduler}, one tick at a time.
 */
final class TimeoutReaper {
  private static final System.Logger LOG = System.getLogger(TimeoutReaper.class.getName());

  private final TmContext ctx;
  private final TxRegistry registry;
  private final Duration interval;
  private volatile boolean closed;
  private volatile Scheduler.Cancellable next;

  TimeoutReaper(TmContext ctx, TxRegistry registry, Duration interval) {
    this.ctx = ctx;
    this.registry = registry;
    this.interval = interval;
  }

  void start() {
    next = ctx.scheduler().schedule(this::tick, interval);
  }

  void close() {
    closed = true;
    Scheduler.Cancellable c = next;
    if (c != null) {
      c.cancel();
    }
  }

  private void tick() {
    if (closed) {
      return;
    }
    try {
      reapNow();
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "timeout reaper tick failed; continuing", e);
    }
    if (!closed) {
      next = ctx.scheduler().schedule(this::tick, interval);
    }
  }

  /** Handles every expired transaction once; returns how many it rolled back. */
  int reapNow() {
    long now = ctx.clock().millis();
    int rolledBack = 0;
    for (XatmTransaction tx : registry.all()) {
      if (now < tx.deadlineMillis() || tx.completionStarted()) {
        continue;
      }
      if (!tx.timedOut()) {
        LOG.log(
            Level.WARNING, "transaction " + tx.gtrid() + " timed out; marking it rollback-only");
      }
      tx.markTimedOut();
      if (!tx.lock.tryLock()) {
        continue;
      }
      try {
        if (tx.noActiveAssociation() && tx.startCompletion()) {
          ctx.coordinator().rollbackExpired(tx);
          registry.remove(tx);
          rolledBack++;
        }
      } finally {
        tx.lock.unlock();
      }
    }
    return rolledBack;
  }
}
