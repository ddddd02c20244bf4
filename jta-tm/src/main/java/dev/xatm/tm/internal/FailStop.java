package dev.xatm.tm.internal;

import jakarta.transaction.SystemException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Remembers the first failure of the log to make a record durable. From then on the TM refuses new
 * transactions until it is restarted (DESIGN §2: never "continue without durability").
 *
 * <p>Thread-safe.
 */
public final class FailStop {
  private static final System.Logger LOG = System.getLogger(FailStop.class.getName());
  private final AtomicReference<Throwable> cause = new AtomicReference<>();

  public void trip(Throwable failure) {
    if (cause.compareAndSet(null, failure)) {
      LOG.log(
          Level.ERROR,
          "the transaction log failed; this transaction manager refuses new transactions until"
              + " it is restarted (restart runs recovery over the log)",
          failure);
    }
  }

  public Throwable cause() {
    return cause.get();
  }

  /**
   * @throws SystemException naming the log failure, when tripped
   */
  public void check() throws SystemException {
    Throwable c = cause.get();
    if (c != null) {
      SystemException e =
          new SystemException(
              "xatm refuses new transactions: the transaction log failed ("
                  + describe(c)
                  + "); restart the transaction manager");
      e.initCause(c);
      throw e;
    }
  }

  /** The failure and its root cause, e.g. "Committing not durable: EIO". */
  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + ", caused by " + root;
  }
}
