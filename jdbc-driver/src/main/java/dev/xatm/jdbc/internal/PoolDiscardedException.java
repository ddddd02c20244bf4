package dev.xatm.jdbc.internal;

import java.sql.SQLException;

/**
 * SQLState 08003: the pool closed itself because its first connection failed (see {@link
 * XaPool#XaPool(XaConnectionFactory, PoolConfig, java.util.function.Consumer)}). The cause is that
 * failure, already cleaned of secrets by {@link XaConnectionFactory#open()}. The driver answers it
 * by starting a new pool; a handle bound to the old pool reports it.
 */
public final class PoolDiscardedException extends SQLException {
  private static final long serialVersionUID = 1L;

  private final String pool;

  PoolDiscardedException(String pool, Throwable firstFailure) {
    super(
        "the xatm pool for "
            + pool
            + " was discarded because its first connection failed ("
            + firstFailure.getMessage()
            + "); connect again",
        "08003",
        firstFailure);
    this.pool = pool;
  }

  /** A fresh instance per borrower: a shared exception would collect everyone's suppressed. */
  PoolDiscardedException forLaterBorrower() {
    return new PoolDiscardedException(pool, getCause());
  }
}
