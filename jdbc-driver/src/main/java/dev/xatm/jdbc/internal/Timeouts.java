package dev.xatm.jdbc.internal;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;

/**
 * The exception the application gets when the TM's timeout reaper has stopped its work on a
 * connection (see {@link PooledXaConnection#interrupt}): a {@link SQLTimeoutException}, which
 * Spring translates to {@code QueryTimeoutException} and Hibernate to its own {@code
 * QueryTimeoutException}, with SQLState HYT00 ("timeout expired" in SQL/CLI).
 */
final class Timeouts {
  static final String SQL_STATE = "HYT00";

  private Timeouts() {}

  /**
   * @param reason what the reaper said (names the transaction)
   * @param cause the vendor's error for the cancelled statement, if one was running
   */
  static SQLTimeoutException interrupted(String reason, SQLException cause) {
    SQLTimeoutException e =
        new SQLTimeoutException(
            reason
                + (cause == null
                    ? "; this connection can no longer be used in it"
                    : "; the running statement was cancelled"),
            SQL_STATE);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }
}
