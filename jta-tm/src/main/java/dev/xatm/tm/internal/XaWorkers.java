package dev.xatm.tm.internal;

import dev.xatm.tm.Scheduler;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the TM's blocking background XA work (commit and rollback retries, recovery passes) off the
 * scheduler, so that a resource that hangs forever can stop neither the timeout reaper nor the
 * checkpointer, which share the scheduler (issue 10). The executor is bounded (its owner decides
 * how: the TM's own is a fixed pool with a bounded queue); work it refuses is reported to the
 * caller, which tries again later instead of queueing without limit.
 *
 * <p>Every task has a time limit: a watchdog on the scheduler logs a WARNING naming the task when
 * it is still running after {@code callTimeout} and interrupts its thread (a driver call that
 * ignores interrupts keeps its thread; the pool is bounded, so hung calls cannot multiply threads).
 * What the task was doing is not lost: the log still says what is unfinished and recovery, on a
 * fresh connection, finishes it.
 *
 * <p>Thread-safe.
 */
public final class XaWorkers {
  private static final System.Logger LOG = System.getLogger(XaWorkers.class.getName());

  private final Executor executor;
  private final Scheduler scheduler;
  private final Duration callTimeout;
  private final AtomicInteger timedOut = new AtomicInteger();

  /**
   * @param executor runs the work (bounded; may run it inline in tests)
   * @param scheduler runs the watchdogs (never the work)
   * @param callTimeout how long one task may run before it is reported and interrupted
   */
  public XaWorkers(Executor executor, Scheduler scheduler, Duration callTimeout) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
    }
    this.callTimeout = callTimeout;
  }

  /**
   * Runs {@code task} on the XA executor with the time limit.
   *
   * @return false when the executor refused it (full or shut down): the caller retries later
   */
  public boolean submit(String what, Runnable task) {
    AtomicReference<Thread> running = new AtomicReference<>();
    AtomicReference<Scheduler.Cancellable> watchdog = new AtomicReference<>();
    Runnable timed =
        () -> {
          running.set(Thread.currentThread());
          try {
            task.run();
          } finally {
            running.set(null);
            Scheduler.Cancellable w = watchdog.get();
            if (w != null) {
              w.cancel();
            }
            Thread.interrupted(); // a late watchdog interrupt must not leak into the next task
          }
        };
    watchdog.set(
        scheduler.schedule(
            () -> {
              Thread t = running.get();
              if (t != null) {
                timedOut.incrementAndGet();
                LOG.log(
                    Level.WARNING,
                    what
                        + " still running after "
                        + callTimeout
                        + " (a resource does not answer); interrupting "
                        + t.getName()
                        + "; recovery finishes what it leaves");
                t.interrupt();
              }
            },
            callTimeout));
    try {
      executor.execute(timed);
      return true;
    } catch (RejectedExecutionException e) {
      watchdog.get().cancel();
      LOG.log(Level.WARNING, what + " not started: the XA worker pool is full or closed");
      return false;
    }
  }

  /** Tasks that ran past the time limit since start. */
  public int timedOut() {
    return timedOut.get();
  }

  public Duration callTimeout() {
    return callTimeout;
  }
}
