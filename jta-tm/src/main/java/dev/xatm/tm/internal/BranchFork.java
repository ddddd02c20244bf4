package dev.xatm.tm.internal;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;

/**
 * Runs one step (prepare, commit, rollback) over several branches in parallel: every branch but the
 * first is offered to the executor, the caller runs the first itself and then claims any branch no
 * worker has started yet. Latency is that of the slowest branch; when branches answer at once, no
 * thread hop is paid. A single branch runs on the caller's thread.
 *
 * <p>The step function must not throw (it returns a result describing failures). The caller waits
 * for every branch, even when interrupted (the interrupt flag is restored): the protocol never
 * leaves a branch call unaccounted for.
 */
final class BranchFork {
  private BranchFork() {}

  static <T, R> R[] run(Executor executor, List<T> items, Function<T, R> step, R[] results) {
    return run(executor, items, step, results, true);
  }

  /**
   * As {@link #run(Executor, List, Function, Object[])}; with {@code parallel} false every branch
   * runs on the caller's thread, in order.
   */
  static <T, R> R[] run(
      Executor executor, List<T> items, Function<T, R> step, R[] results, boolean parallel) {
    int n = items.size();
    if (n == 1 || !parallel) {
      for (int i = 0; i < n; i++) {
        results[i] = step.apply(items.get(i));
      }
      return results;
    }
    AtomicIntegerArray claimed = new AtomicIntegerArray(n);
    CountDownLatch done = new CountDownLatch(n);
    Runnable[] tasks = new Runnable[n];
    for (int i = 0; i < n; i++) {
      int index = i;
      tasks[i] =
          () -> {
            if (claimed.compareAndSet(index, 0, 1)) {
              try {
                results[index] = step.apply(items.get(index));
              } finally {
                done.countDown();
              }
            }
          };
    }
    for (int i = 1; i < n; i++) {
      try {
        executor.execute(tasks[i]);
      } catch (RejectedExecutionException e) {
        tasks[i].run();
      }
    }
    for (int i = 0; i < n; i++) {
      tasks[i].run();
    }
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return results;
  }
}
