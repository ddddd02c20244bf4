package dev.xatm.it.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The MariaDB server the integration tests use: {@code XATM_IT_MARIADB_URL} when set, otherwise
 * 127.0.0.1:3306 as root with no password. An unreachable server fails the test with the reason; it
 * is never skipped.
 */
public final class MariaDbServer {
  private static final String LOCAL = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
  private static MariaDbServer shared;

  private final String adminUrl;

  private MariaDbServer(String adminUrl) {
    this.adminUrl = adminUrl;
  }

  public static synchronized MariaDbServer shared() {
    if (shared == null) {
      String env = System.getenv("XATM_IT_MARIADB_URL");
      String url = env != null && !env.isBlank() ? env : LOCAL;
      try (Connection c = DriverManager.getConnection(url)) {
        c.isValid(5);
      } catch (SQLException e) {
        throw new IllegalStateException(
            "MariaDB is not reachable at "
                + url
                + " (set XATM_IT_MARIADB_URL, or start it: bash .ci/prepare-databases.sh): "
                + e.getMessage(),
            e);
      }
      shared = new MariaDbServer(url);
    }
    return shared;
  }

  public String adminUrl() {
    return adminUrl;
  }

  /** The {@code host:port} part, for building {@code jdbc:xa:} URLs. */
  public String hostPort() {
    String rest = adminUrl.substring("jdbc:mariadb://".length());
    return rest.substring(0, rest.indexOf('/'));
  }

  /** A plain JDBC URL of {@code database} as root. */
  public String url(String database) {
    return "jdbc:mariadb://" + hostPort() + "/" + database + "?user=root";
  }

  /** Drops and recreates {@code database}, first rolling back XA transactions left in it. */
  public void recreateDatabase(String database) throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      s.execute("drop database if exists " + database);
      s.execute("create database " + database);
    }
  }
}
