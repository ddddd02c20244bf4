package dev.xatm.tm.internal;

import dev.xatm.tm.Scheduler;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

/**
 * Ends transactions past their deadline, so that their database locks are gone within about one
 * reaper interval after the deadline (DESIGN §10):
 *
 * <ol>
 *   <li>the transaction is marked rollback-only (its owner's commit now throws {@code
 *       RollbackException});
 *   <li>every association still active whose resource is an {@link
 *       dev.xatm.tm.spi.InterruptibleXAResource} (the {@code jdbc:xa:} driver's) is interrupted: a
 *       running statement is cancelled, the owner's further calls fail, and the reaper waits up to
 *       one interval for a call in progress to return;
 *   <li>if then no association is active except quiet interrupted ones, and nobody else is
 *       completing the transaction, the reaper ends every branch with TMFAIL and rolls it back.
 * </ol>
 *
 * Otherwise (an active association of a resource that cannot be interrupted, or a call that did not
 * return) the reaper does not race the application: it tries again at its next tick, and the
 * owner's completion rolls back.
 *
 * <p>Threading: runs on the injected {@link Scheduler}, one tick at a time; {@link #reapNow} may
 * also be called from any thread.
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
      if (reap(tx, now)) {
        rolledBack++;
      }
    }
    return rolledBack;
  }

  private boolean reap(XatmTransaction tx, long now) {
    if (!tx.timedOut()) {
      LOG.log(
          Level.WARNING,
          "transaction "
              + tx.gtrid()
              + " timed out ("
              + (now - tx.deadlineMillis())
              + " ms past its deadline); rolling it back");
    }
    tx.markTimedOut();
    String reason =
        "the JTA transaction " + tx.gtrid() + " timed out and is being rolled back by xatm";
    List<Association> quiet = tx.interruptActiveWork(reason, interval);
    if (!tx.lock.tryLock()) {
      return false;
    }
    try {
      if (tx.onlyQuietAssociationsActive(quiet) && tx.startCompletion()) {
        ctx.coordinator().rollbackExpired(tx);
        registry.remove(tx);
        return true;
      }
      return false;
    } finally {
      tx.lock.unlock();
    }
  }
}
