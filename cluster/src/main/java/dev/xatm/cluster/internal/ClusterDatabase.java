package dev.xatm.cluster.internal;

import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.cluster.ClusterConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection to the cluster database, opened when first needed, used by one caller at a time,
 * and dropped after any failure so that the next call connects again (the server may have
 * restarted). Every call is bounded: connect, login and socket reads by the timeout, statements by
 * a query timeout as well unless the caller says otherwise.
 *
 * <p>Threading: any thread. One {@link ReentrantLock}, not {@code synchronized}: a virtual thread
 * must not pin its carrier across a database call.
 */
final class ClusterDatabase implements AutoCloseable {
  /** What runs on one prepared statement. */
  @FunctionalInterface
  interface OnStatement<T> {
    T run(PreparedStatement p) throws SQLException;
  }

  /** What runs in one database transaction. */
  @FunctionalInterface
  interface InTransaction<T> {
    T run(ClusterDatabase db) throws SQLException;
  }

  private final ClusterConfig config;
  private final Duration timeout;
  private final String applicationName;
  private final ReentrantLock lock = new ReentrantLock();
  private Connection connection; // null until connected or after a failure; guarded by lock

  /**
   * @param config where the database is, and its credentials
   * @param timeout the bound of the connect, the login, every socket read and every statement
   * @param applicationName what {@code pg_stat_activity} shows
   */
  ClusterDatabase(ClusterConfig config, Duration timeout, String applicationName) {
    this.config = config;
    this.timeout = timeout;
    this.applicationName = applicationName;
  }

  /** Prepares {@code sql}, binds {@code values} in order, and runs {@code body} on it. */
  <T> T call(String sql, OnStatement<T> body, Object... values) throws SQLException {
    return run(sql, true, body, values);
  }

  /**
   * As {@link #call}, without a query timeout (pgjdbc runs one on a timer thread: a wake-up per
   * statement); the socket timeout still bounds the call. For the commit path.
   */
  <T> T callUntimed(String sql, OnStatement<T> body, Object... values) throws SQLException {
    return run(sql, false, body, values);
  }

  /**
   * Runs {@code body} in one transaction, committed when it returns (a body that rolled back
   * commits nothing); any failure drops the connection, which rolls back what was not committed.
   */
  <T> T transaction(InTransaction<T> body) throws SQLException {
    lock.lock();
    try {
      Connection c = connection();
      c.setAutoCommit(false);
      T result = body.run(this);
      c.commit();
      c.setAutoCommit(true);
      return result;
    } catch (SQLException | RuntimeException e) {
      drop();
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /** Rolls back the transaction of {@link #transaction}'s body. */
  void rollback() throws SQLException {
    connection().rollback();
  }

  private <T> T run(String sql, boolean timed, OnStatement<T> body, Object... values)
      throws SQLException {
    lock.lock();
    try (PreparedStatement p = connection().prepareStatement(sql)) {
      if (timed) {
        p.setQueryTimeout(seconds());
      }
      for (int i = 0; i < values.length; i++) {
        p.setObject(i + 1, values[i]);
      }
      return body.run(p);
    } catch (SQLException | RuntimeException e) {
      drop();
      throw e;
    } finally {
      lock.unlock();
    }
  }

  private int seconds() {
    return (int) Math.max(1, timeout.toSeconds());
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      Properties p = new Properties();
      if (config.user() != null) {
        p.setProperty("user", config.user());
      }
      if (config.password() != null) {
        p.setProperty("password", config.password());
      }
      String seconds = Integer.toString(seconds());
      p.setProperty("connectTimeout", seconds);
      p.setProperty("socketTimeout", Integer.toString(seconds() + 1));
      p.setProperty("loginTimeout", seconds);
      p.setProperty("ApplicationName", applicationName);
      Connection c = new org.postgresql.Driver().connect(config.url(), p);
      if (c == null) {
        throw new SQLException(
            "not a PostgreSQL URL: " + XatmConfigException.redactUrl(config.url()), "08001");
      }
      c.setAutoCommit(true);
      connection = c;
    }
    return connection;
  }

  private void drop() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // it is broken already
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      drop();
    } finally {
      lock.unlock();
    }
  }
}
