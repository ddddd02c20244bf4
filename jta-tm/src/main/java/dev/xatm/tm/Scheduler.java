package dev.xatm.tm;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs delayed work (the timeout reaper, background commit retries). Injected so that tests drive
 * time by hand instead of sleeping.
 */
@FunctionalInterface
public interface Scheduler {

  /**
   * Runs {@code task} once after {@code delay}.
   *
   * @param task the work, run on the scheduler's thread
   * @param delay how long from now
   * @return a handle that cancels it
   */
  Cancellable schedule(Runnable task, Duration delay);

  /** Cancels a scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run yet; does nothing otherwise. */
    void cancel();
  }

  /**
   * {@return a scheduler on a {@link ScheduledExecutorService}}
   *
   * @param executor the executor, which the caller owns and shuts down
   */
  static Scheduler of(ScheduledExecutorService executor) {
    return (task, delay) -> {
      var f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
