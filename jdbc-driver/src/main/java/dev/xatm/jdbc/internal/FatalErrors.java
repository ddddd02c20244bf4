package dev.xatm.jdbc.internal;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Set;

/**
 * Decides whether an error means the physical connection is gone, so the pool must close it instead
 * of handing it out again. Stateless.
 */
final class FatalErrors {
  /**
   * Beyond SQLState class 08 (connection exception): PostgreSQL 57P01 admin shutdown
   * (pg_terminate_backend), 57P02 crash shutdown, 57P03 cannot connect now; MariaDB 70100
   * (ER_QUERY_INTERRUPTED/connection killed) as reported by Connector/J after {@code KILL}.
   */
  private static final Set<String> FATAL_STATES = Set.of("57P01", "57P02", "57P03", "70100");

  /** MariaDB/MySQL error codes: 1927 connection killed, 1053 server shutdown, 2006/2013 gone. */
  private static final Set<Integer> FATAL_MARIADB_CODES = Set.of(1927, 1053, 2006, 2013);

  private FatalErrors() {}

  static boolean isFatal(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if (isFatalOne(s)) {
        return true;
      }
      Throwable cause = s.getCause();
      if (cause instanceof SQLException c && c != s && isFatalOne(c)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isFatalOne(SQLException e) {
    if (e instanceof SQLNonTransientConnectionException) {
      return true;
    }
    String state = e.getSQLState();
    if (state != null && (state.startsWith("08") || FATAL_STATES.contains(state))) {
      return true;
    }
    return FATAL_MARIADB_CODES.contains(e.getErrorCode()) && isMariaDbOrMySqlState(state);
  }

  private static boolean isMariaDbOrMySqlState(String state) {
    // The codes above are MariaDB/MySQL numbers; other vendors reuse small integers freely.
    return state == null
        || state.startsWith("HY")
        || state.startsWith("08")
        || state.equals("70100");
  }
}
