package dev.xatm.tm.internal;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long each resource's XA calls recently took, to run a phase's branches in parallel only when
 * that pays (issue 15). Handing a branch to a phase thread costs a wake-up on the caller and a
 * thread that competes for the cores; it saves the time of every branch but one when they are slow
 * (a database round trip). So a phase forks when at least two of its branches are expected to take
 * {@link #FORK_NANOS} or more, or are of a resource not yet measured, and runs on the caller's
 * thread otherwise. Under load it never forks: while more transactions are in a phase than the
 * machine has cores, a phase thread would wait in the run queue behind them, and running the
 * branches in turn costs each transaction one round trip more but saves two thread hand-offs (the
 * committing threads already keep every core busy).
 *
 * <p>Only the choice of threads depends on it: every branch of a phase is still called before the
 * next step, in the protocol's order. Thread-safe; the estimates are an exponentially weighted
 * average per resource id (a resource that does not identify itself always forks).
 */
final class PhaseTimes {
  /** Below this a call is cheaper to make in turn than to hand to another thread. */
  static final long FORK_NANOS = 50_000;

  private final ConcurrentHashMap<String, AtomicLong> average = new ConcurrentHashMap<>();
  private final AtomicInteger inPhase = new AtomicInteger();
  private final int cores;

  /** With this machine's cores. */
  PhaseTimes() {
    this(Runtime.getRuntime().availableProcessors());
  }

  /** With {@code cores} cores (tests). */
  PhaseTimes(int cores) {
    this.cores = cores;
  }

  /** A transaction starts a phase; call {@link #exit()} in a finally block. */
  void enter() {
    inPhase.incrementAndGet();
  }

  /** The transaction's phase is over. */
  void exit() {
    inPhase.decrementAndGet();
  }

  /** Records that one XA call to {@code resourceId} (null: unidentified) took {@code nanos}. */
  void record(String resourceId, long nanos) {
    if (resourceId == null) {
      return;
    }
    AtomicLong a = average.computeIfAbsent(resourceId, k -> new AtomicLong(-1));
    long old = a.get();
    if (old < 0) {
      a.set(nanos);
      return;
    }
    // New samples weigh 1/2, and one sample can raise the estimate by at most half: a call that
    // was preempted once does not make a fast resource fork, a resource that turned slow forks
    // again within a few calls, and the slow first calls of a cold JVM are soon forgotten.
    long delta = Math.min(nanos - old, old);
    a.set(old + delta / 2);
  }

  /** Whether the branches of one phase are worth running in parallel. */
  boolean worthForking(List<TxBranch> branches) {
    if (inPhase.get() > cores) {
      return false;
    }
    int slow = 0;
    for (TxBranch b : branches) {
      String id = b.descriptor == null ? null : b.descriptor.resourceId();
      AtomicLong a = id == null ? null : average.get(id);
      long expected = a == null ? -1 : a.get();
      if (expected < 0 || expected >= FORK_NANOS) {
        slow++;
        if (slow >= 2) {
          return true;
        }
      }
    }
    return false;
  }
}
