package dev.xatm.jdbc.internal;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Decides whether an error means the physical connection is gone, so the pool must close it instead
 * of handing it out again. Stateless; thread-safe.
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

  /**
   * How many exceptions of a chain are looked at. Vendors wrap the interesting one a level or two
   * deep; a chain longer than this is not worth walking on the error path.
   */
  static final int MAX_EXCEPTIONS = 32;

  /**
   * True when {@code e}, an exception chained to it ({@code getNextException}) or a cause of either
   * says the connection is gone. The walk is bounded ({@value #MAX_EXCEPTIONS}) and visits each
   * exception once, so a cyclic chain (a vendor's own {@code getNextException}, or {@code
   * initCause} loops) ends.
   */
  static boolean isFatal(SQLException e) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> todo = new ArrayDeque<>();
    todo.add(e);
    while (!todo.isEmpty() && seen.size() < MAX_EXCEPTIONS) {
      Throwable t = todo.poll();
      if (t == null || !seen.add(t)) {
        continue;
      }
      if (t instanceof SQLException s) {
        if (isFatalOne(s)) {
          return true;
        }
        if (s.getNextException() != null) {
          todo.add(s.getNextException());
        }
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
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
