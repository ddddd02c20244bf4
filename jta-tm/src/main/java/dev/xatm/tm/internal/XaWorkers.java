package dev.xatm.tm.internal;

import dev.xatm.tm.Scheduler;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the TM's blocking background XA work (commit and rollback retries, recovery passes) off the
 * scheduler, so that a resource that hangs forever can stop neither the timeout reaper nor the
 * checkpointer, which share the scheduler (issue 10). The executor is bounded (its owner decides
 * how: the TM's own is a fixed pool with a bounded queue); work it refuses is reported to the
 * caller, which tries again later instead of queueing without limit.
 *
 * <p>Every task has a time limit, counted from when it starts running: a watchdog on the scheduler
 * logs a WARNING naming the task when it is still running after {@code callTimeout} and counts it
 * ({@link #timedOut}). Its thread is abandoned to the hung call, never interrupted (an interrupt
 * does not unblock a socket read and can close a driver's FileChannel); the pool is bounded, so
 * hung calls cannot multiply threads, and work the full pool refuses is retried later. What the
 * task was doing is not lost: the log still says what is unfinished and recovery, on a fresh
 * connection, finishes it.
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
   * @param callTimeout how long one task may run before it is reported
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
    Runnable timed =
        () -> {
          // The limit counts from here, not from submit: time spent queued behind a hung task
          // must not use up this task's limit (it would then run unbounded).
          Thread self = Thread.currentThread();
          AtomicBoolean done = new AtomicBoolean();
          Scheduler.Cancellable watchdog =
              scheduler.schedule(() -> reportStuck(what, self, done), callTimeout);
          try {
            task.run();
          } finally {
            done.set(true);
            watchdog.cancel();
          }
        };
    try {
      executor.execute(timed);
      return true;
    } catch (RejectedExecutionException e) {
      LOG.log(Level.WARNING, what + " not started: the XA worker pool is full or closed");
      return false;
    }
  }

  /**
   * Reports a task past its limit and abandons its thread, without interrupting it: an interrupt
   * does not unblock a driver's socket read, and can close a driver's FileChannel (H2:
   * ClosedByInterruptException), breaking a database that was only slow.
   */
  private void reportStuck(String what, Thread t, AtomicBoolean done) {
    if (done.get()) {
      return;
    }
    timedOut.incrementAndGet();
    LOG.log(
        Level.WARNING,
        what
            + " still running after "
            + callTimeout
            + " (a resource does not answer); thread "
            + t.getName()
            + " is abandoned to it, not interrupted, and its worker stays busy until the resource"
            + " answers; recovery finishes what it leaves");
  }

  /** Tasks that ran past the time limit since start. */
  public int timedOut() {
    return timedOut.get();
  }

  public Duration callTimeout() {
    return callTimeout;
  }
}
