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

  /** Runs {@code task} once after {@code delay}. Returns a handle that cancels it. */
  Cancellable schedule(Runnable task, Duration delay);

  /** Cancels a scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }

  /** A scheduler on a {@link ScheduledExecutorService} (which the caller owns). */
  static Scheduler of(ScheduledExecutorService executor) {
    return (task, delay) -> {
      var f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
