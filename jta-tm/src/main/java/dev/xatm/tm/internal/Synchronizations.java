package dev.xatm.tm.internal;

import jakarta.transaction.Synchronization;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The synchronizations of one transaction, called in the order JTA 2.0 §3.3.2 and the {@code
 * TransactionSynchronizationRegistry} Javadoc require: {@code beforeCompletion} of every
 * non-interposed synchronization (registration order), then of every interposed one; after
 * completion, interposed ones first, then non-interposed ones. Synchronizations registered during
 * {@code beforeCompletion} are called too, except a non-interposed one registered once the
 * interposed ones have started: it could no longer run before them, so it is refused. An exception
 * from {@code beforeCompletion} stops the calls and is returned (the caller marks the transaction
 * rollback-only); exceptions from {@code afterCompletion} are logged and ignored.
 *
 * <p>Thread-safe: registration and the calls may come from different threads; no lock is held while
 * a synchronization runs.
 */
final class Synchronizations {
  private static final System.Logger LOG = System.getLogger(Synchronizations.class.getName());

  private final ReentrantLock lock = new ReentrantLock();
  private final List<Synchronization> regular = new ArrayList<>(2);
  private final List<Synchronization> interposed = new ArrayList<>(2);
  private boolean beforeCompletionDone;
  private boolean interposedStarted;

  /**
   * @throws IllegalStateException when the beforeCompletion phase is over, or for a regular
   *     synchronization once the interposed ones have started
   */
  void register(Synchronization s, boolean isInterposed, String tx) {
    lock.lock();
    try {
      if (beforeCompletionDone) {
        throw new IllegalStateException(
            "transaction " + tx + " has passed beforeCompletion; synchronization refused");
      }
      if (interposedStarted && !isInterposed) {
        throw new IllegalStateException(
            "transaction "
                + tx
                + " is calling interposed beforeCompletion; a regular synchronization must run"
                + " before those and is refused");
      }
      (isInterposed ? interposed : regular).add(s);
    } finally {
      lock.unlock();
    }
  }

  /** Runs every beforeCompletion; returns the first exception, or {@code null}. */
  Throwable beforeCompletion(String tx) {
    int r = 0;
    int i = 0;
    while (true) {
      Synchronization next;
      lock.lock();
      try {
        if (r < regular.size()) {
          next = regular.get(r++);
        } else if (i < interposed.size()) {
          interposedStarted = true;
          next = interposed.get(i++);
        } else {
          beforeCompletionDone = true;
          return null;
        }
      } finally {
        lock.unlock();
      }
      try {
        next.beforeCompletion();
      } catch (RuntimeException | Error e) {
        LOG.log(
            Level.WARNING,
            "beforeCompletion of " + next + " failed in transaction " + tx + "; rolling back",
            e);
        closeRegistration();
        return e;
      }
    }
  }

  /** Refuses further registrations (completion is past beforeCompletion). */
  void closeRegistration() {
    lock.lock();
    try {
      beforeCompletionDone = true;
    } finally {
      lock.unlock();
    }
  }

  void afterCompletion(int status, String tx) {
    List<Synchronization> order;
    lock.lock();
    try {
      beforeCompletionDone = true;
      order = new ArrayList<>(interposed.size() + regular.size());
      order.addAll(interposed);
      order.addAll(regular);
    } finally {
      lock.unlock();
    }
    for (Synchronization s : order) {
      try {
        s.afterCompletion(status);
      } catch (RuntimeException | Error e) {
        LOG.log(
            Level.WARNING,
            "afterCompletion("
                + status
                + ") of "
                + s
                + " failed in transaction "
                + tx
                + "; ignored (the outcome is final)",
            e);
      }
    }
  }
}
