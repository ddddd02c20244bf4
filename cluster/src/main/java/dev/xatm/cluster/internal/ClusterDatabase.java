package dev.xatm.cluster.internal;

import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.cluster.ClusterConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** Opens connections to the cluster database, each call bounded by a timeout. */
final class ClusterDatabase {
  private ClusterDatabase() {}

  /**
   * @param config where the database is, and its credentials
   * @param timeout the bound of the connect, the login and every read on the socket
   * @param applicationName what {@code pg_stat_activity} shows
   * @return a connection in autocommit mode
   */
  static Connection connect(ClusterConfig config, Duration timeout, String applicationName)
      throws SQLException {
    Properties p = new Properties();
    if (config.user() != null) {
      p.setProperty("user", config.user());
    }
    if (config.password() != null) {
      p.setProperty("password", config.password());
    }
    String seconds = Long.toString(Math.max(1, timeout.toSeconds()));
    p.setProperty("connectTimeout", seconds);
    p.setProperty("socketTimeout", Long.toString(Math.max(1, timeout.toSeconds()) + 1));
    p.setProperty("loginTimeout", seconds);
    p.setProperty("ApplicationName", applicationName);
    Connection c = new org.postgresql.Driver().connect(config.url(), p);
    if (c == null) {
      throw new SQLException(
          "not a PostgreSQL URL: " + XatmConfigException.redactUrl(config.url()), "08001");
    }
    c.setAutoCommit(true);
    return c;
  }
}
