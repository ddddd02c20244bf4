package dev.xatm.tm.internal;

import dev.xatm.tm.Scheduler;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends transactions past their deadline, so that their database locks are gone within about one
 * reaper interval after the deadline (DESIGN §10). One tick:
 *
 * <ol>
 *   <li>every expired transaction is marked rollback-only (its owner's commit now throws {@code
 *       RollbackException}), and every association still open whose resource is an {@link
 *       dev.xatm.tm.spi.InterruptibleXAResource} (the {@code jdbc:xa:} driver's) is interrupted
 *       without waiting: a running statement is cancelled and the owner's further calls fail. All
 *       expired transactions are fenced before any is rolled back or waited for, so none waits
 *       behind another;
 *   <li>a transaction then quiet (no association active except quiet interrupted ones), and that
 *       nobody else is completing, is rolled back at once: every branch ended with TMFAIL and
 *       rolled back;
 *   <li>for the others the reaper waits for the calls in progress to return, one wait for the whole
 *       tick that ends one interval after the tick started, and rolls back each one as it becomes
 *       quiet.
 * </ol>
 *
 * Otherwise (an active association of a resource that cannot be interrupted, or a call that did not
 * return) the reaper does not race the application: it tries again at its next tick, and the
 * owner's completion rolls back.
 *
 * <p>Ticks start every interval (at a fixed rate; a tick that overran it is followed by the next at
 * once), so an expired transaction is seen at most one interval after its deadline; the worst case
 * is worked out in docs/tm-protocol.md.
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
    long started = ctx.clock().millis();
    try {
      reapNow();
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "timeout reaper tick failed; continuing", e);
    }
    if (!closed) {
      // Fixed rate: a tick that waited for calls in progress does not push the next one back, so
      // a deadline that passed during it is seen at most one interval after it (tm-protocol.md).
      long elapsed = ctx.clock().millis() - started;
      long delay = Math.max(0, Math.min(interval.toMillis(), interval.toMillis() - elapsed));
      next = ctx.scheduler().schedule(this::tick, Duration.ofMillis(delay));
    }
  }

  /** Handles every expired transaction once; returns how many it rolled back. */
  int reapNow() {
    long now = ctx.clock().millis();
    List<XatmTransaction> expired = new ArrayList<>();
    for (XatmTransaction tx : registry.all()) {
      if (now >= tx.deadlineMillis() && !tx.completionStarted()) {
        expired.add(tx);
      }
    }
    // Fence and cancel every one first, without waiting, so that none waits behind another.
    List<List<Association>> quiet = new ArrayList<>(expired.size());
    for (XatmTransaction tx : expired) {
      markTimedOut(tx, now);
      quiet.add(tx.interruptActiveWork(reason(tx), now));
    }
    int rolledBack = 0;
    List<XatmTransaction> busy = new ArrayList<>();
    for (int i = 0; i < expired.size(); i++) {
      XatmTransaction tx = expired.get(i);
      if (rollBackIfQuiet(tx, quiet.get(i))) {
        rolledBack++;
      } else if (!tx.completionStarted()) {
        busy.add(tx);
      }
    }
    long waitUntil = now + interval.toMillis(); // one wait for the whole tick
    for (XatmTransaction tx : busy) {
      if (rollBackIfQuiet(tx, tx.interruptActiveWork(reason(tx), waitUntil))) {
        rolledBack++;
      }
    }
    return rolledBack;
  }

  private static void markTimedOut(XatmTransaction tx, long now) {
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
  }

  private static String reason(XatmTransaction tx) {
    return "the JTA transaction " + tx.gtrid() + " timed out and is being rolled back by xatm";
  }

  /**
   * Rolls {@code tx} back from the reaper's thread when no association is active but the {@code
   * quiet} interrupted ones and nobody else is completing it; false otherwise.
   */
  private boolean rollBackIfQuiet(XatmTransaction tx, List<Association> quiet) {
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
