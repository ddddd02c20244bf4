package dev.xatm.tm.testing;

import dev.xatm.tm.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Scheduler} driven by a {@link ManualClock}: tasks run only when a test calls {@link
 * #runDue()}, on the test's thread. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
  private final ManualClock clock;
  private final List<Task> tasks = new ArrayList<>();

  private static final class Task {
    final Runnable runnable;
    final long dueMillis;
    volatile boolean cancelled;

    Task(Runnable runnable, long dueMillis) {
      this.runnable = runnable;
      this.dueMillis = dueMillis;
    }
  }

  public ManualScheduler(ManualClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    Task t = new Task(task, clock.millis() + delay.toMillis());
    tasks.add(t);
    return () -> t.cancelled = true;
  }

  /** Runs every task due at the clock's time (including ones they schedule that are due). */
  public int runDue() {
    int ran = 0;
    while (true) {
      Task next = null;
      synchronized (this) {
        for (Task t : tasks) {
          if (!t.cancelled && t.dueMillis <= clock.millis()) {
            next = t;
            break;
          }
        }
        if (next == null) {
          tasks.removeIf(t -> t.cancelled);
          return ran;
        }
        tasks.remove(next);
      }
      next.runnable.run();
      ran++;
    }
  }

  /** Advances the clock by {@code d} and runs what is due. */
  public int advanceAndRun(Duration d) {
    clock.advance(d);
    return runDue();
  }

  public synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }
}
