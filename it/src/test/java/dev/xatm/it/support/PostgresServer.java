package dev.xatm.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The PostgreSQL server the integration tests use, found without manual steps:
 *
 * <ol>
 *   <li>{@code XATM_IT_PG_URL} (a JDBC URL to an admin database, e.g. {@code
 *       jdbc:postgresql://db:5432/postgres?user=postgres}) when set;
 *   <li>otherwise the local server on 127.0.0.1:5432 as user postgres, if it has {@code
 *       max_prepared_transactions > 0};
 *   <li>otherwise a private cluster started from the installed server binaries under {@code
 *       target/} (see {@link PrivatePostgres});
 *   <li>otherwise the test fails with the reason. It is never skipped.
 * </ol>
 *
 * <p>Tests that stop and restart the server ask for {@link #privateCluster()}, which always starts
 * a private cluster.
 */
public final class PostgresServer {
  private static final String LOCAL_ADMIN_URL =
      "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
  private static PostgresServer shared;

  private final String adminUrl;
  private final PrivatePostgres cluster;

  private PostgresServer(String adminUrl, PrivatePostgres cluster) {
    this.adminUrl = adminUrl;
    this.cluster = cluster;
  }

  /** The shared server for tests that do not restart it. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      shared = locate();
    }
    return shared;
  }

  /** A private cluster that the caller may stop and start (immediate shutdown tests). */
  public static synchronized PostgresServer privateCluster() {
    PrivatePostgres pg = PrivatePostgres.startShared();
    return new PostgresServer(pg.adminUrl(), pg);
  }

  private static PostgresServer locate() {
    String env = System.getenv("XATM_IT_PG_URL");
    if (env != null && !env.isBlank()) {
      requirePrepared(env, "XATM_IT_PG_URL");
      return new PostgresServer(env, null);
    }
    Optional<Integer> local = maxPrepared(LOCAL_ADMIN_URL);
    if (local.isPresent() && local.get() > 0) {
      return new PostgresServer(LOCAL_ADMIN_URL, null);
    }
    PrivatePostgres pg = PrivatePostgres.startShared();
    return new PostgresServer(pg.adminUrl(), pg);
  }

  private static void requirePrepared(String url, String source) {
    int n =
        maxPrepared(url)
            .orElseThrow(
                () -> new IllegalStateException("cannot connect to PostgreSQL at " + source));
    if (n < 1) {
      throw new IllegalStateException(
          "PostgreSQL at "
              + source
              + " has max_prepared_transactions = "
              + n
              + "; XA needs it above zero (set it in postgresql.conf and restart)");
    }
  }

  private static Optional<Integer> maxPrepared(String url) {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("show max_prepared_transactions")) {
      rs.next();
      return Optional.of(Integer.parseInt(rs.getString(1)));
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  /** JDBC URL of the admin database ({@code postgres}). */
  public String adminUrl() {
    return adminUrl;
  }

  /** The {@code host:port} part, for building {@code jdbc:xa:} URLs. */
  public String hostPort() {
    String rest = adminUrl.substring("jdbc:postgresql://".length());
    return rest.substring(0, rest.indexOf('/'));
  }

  /** A plain JDBC URL of {@code database} as user postgres. */
  public String url(String database) {
    return "jdbc:postgresql://" + hostPort() + "/" + database + "?user=postgres";
  }

  /** Drops and recreates {@code database}. */
  public void recreateDatabase(String database) throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      // Prepared transactions hold locks in a database and block DROP DATABASE.
      try (ResultSet rs =
          s.executeQuery("select gid from pg_prepared_xacts where database = '" + database + "'")) {
        while (rs.next()) {
          try (Connection d = DriverManager.getConnection(url(database));
              Statement ds = d.createStatement()) {
            ds.execute("rollback prepared '" + rs.getString(1).replace("'", "''") + "'");
          }
        }
      }
      s.execute("drop database if exists " + database + " with (force)");
      s.execute("create database " + database);
    }
  }

  /** True when this is a private cluster the test may stop and start. */
  public boolean restartable() {
    return cluster != null;
  }

  /** Immediate shutdown (like a crash: no checkpoint, clients cut off). */
  public void stopImmediately() throws IOException, InterruptedException {
    requireCluster().stop("immediate");
  }

  public void start() throws IOException, InterruptedException {
    requireCluster().start();
  }

  private PrivatePostgres requireCluster() {
    if (cluster == null) {
      throw new IllegalStateException("not a private cluster; use PostgresServer.privateCluster()");
    }
    return cluster;
  }

  static Path targetDir() {
    Path p = Path.of("target").toAbsolutePath();
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + p, e);
    }
    return p;
  }
}
