package dev.xatm.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The real PostgreSQL and MariaDB servers that module tests outside {@code it} (the CDI and
 * Hibernate integrations) use, found the way {@code it}'s {@code PostgresServer}/{@code
 * MariaDbServer} find them:
 *
 * <ul>
 *   <li>PostgreSQL: {@code XATM_IT_PG_URL}, else 127.0.0.1:5432 as postgres if it has {@code
 *       max_prepared_transactions > 0}, else a private cluster ({@link LocalPostgresCluster}) on
 *       127.0.0.1:{@value #PRIVATE_PG_PORT} under {@code target/pg-cluster}, stopped when the JVM
 *       exits;
 *   <li>MariaDB: {@code XATM_IT_MARIADB_URL}, else 127.0.0.1:3306 as root without a password.
 * </ul>
 *
 * An unreachable server fails the caller with the reason; nothing is skipped. Callers hold the
 * shared database lock (README "Run the tests"). Thread-safe.
 */
public final class SharedDatabases {
  public static final int PRIVATE_PG_PORT = 29432; // below the ephemeral ports (32768-60999)
  private static final String LOCAL_PG = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
  private static final String LOCAL_MARIADB = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
  private static String postgres;
  private static String mariadb;

  private SharedDatabases() {}

  /** JDBC URL of PostgreSQL's admin database ({@code postgres}), with credentials. */
  public static synchronized String postgresAdminUrl() {
    if (postgres == null) {
      String env = System.getenv("XATM_IT_PG_URL");
      if (env != null && !env.isBlank()) {
        postgres = env;
      } else if (maxPrepared(LOCAL_PG).orElse(0) > 0) {
        postgres = LOCAL_PG;
      } else {
        LocalPostgresCluster cluster =
            LocalPostgresCluster.builder(Path.of("target", "pg-cluster"), PRIVATE_PG_PORT)
                .setting("max_prepared_transactions", "100")
                .setting("max_connections", "200")
                .build();
        try {
          cluster.start();
        } catch (IOException | InterruptedException e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          throw new IllegalStateException(
              "no PostgreSQL with max_prepared_transactions > 0: set XATM_IT_PG_URL, run"
                  + " bash .ci/prepare-databases.sh, or install the server binaries for a private"
                  + " cluster (starting one failed: "
                  + e.getMessage()
                  + ")",
              e);
        }
        cluster.stopOnExit();
        postgres = cluster.adminUrl();
      }
    }
    return postgres;
  }

  /** JDBC URL of MariaDB's admin database, with credentials. */
  public static synchronized String mariadbAdminUrl() {
    if (mariadb == null) {
      String env = System.getenv("XATM_IT_MARIADB_URL");
      String url = env != null && !env.isBlank() ? env : LOCAL_MARIADB;
      try (Connection c = DriverManager.getConnection(url)) {
        c.isValid(5);
      } catch (SQLException e) {
        throw new IllegalStateException(
            "MariaDB is not reachable at "
                + url
                + " (set XATM_IT_MARIADB_URL, or bash .ci/prepare-databases.sh): "
                + e.getMessage(),
            e);
      }
      mariadb = url;
    }
    return mariadb;
  }

  /** A plain PostgreSQL URL of {@code database} (same host, port and query as the admin URL). */
  public static String postgresUrl(String database) {
    return replaceDatabase(postgresAdminUrl(), database);
  }

  /** A plain MariaDB URL of {@code database}. */
  public static String mariadbUrl(String database) {
    return replaceDatabase(mariadbAdminUrl(), database);
  }

  /** Drops and recreates a PostgreSQL database, rolling back prepared transactions left in it. */
  public static void recreatePostgresDatabase(String database) throws SQLException {
    try (Connection c = DriverManager.getConnection(postgresAdminUrl());
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery("select gid from pg_prepared_xacts where database = '" + database + "'")) {
        while (rs.next()) {
          try (Connection d = DriverManager.getConnection(postgresUrl(database));
              Statement ds = d.createStatement()) {
            ds.execute("rollback prepared '" + rs.getString(1).replace("'", "''") + "'");
          }
        }
      }
      s.execute("drop database if exists " + database + " with (force)");
      s.execute("create database " + database);
    }
  }

  /** Drops and recreates a MariaDB database. */
  public static void recreateMariaDbDatabase(String database) throws SQLException {
    try (Connection c = DriverManager.getConnection(mariadbAdminUrl());
        Statement s = c.createStatement()) {
      s.execute("drop database if exists " + database);
      s.execute("create database " + database);
    }
  }

  /** Prepared transactions left in a PostgreSQL database. */
  public static int postgresPrepared(String database) throws SQLException {
    try (Connection c = DriverManager.getConnection(postgresAdminUrl());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select count(*) from pg_prepared_xacts where database = '" + database + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * Prepared XA transactions MariaDB lists ({@code XA RECOVER} covers every database) whose global
   * transaction id names node {@code nodeId}: xatm's gtrid carries the node id in ASCII, so other
   * tests' leftovers do not count.
   */
  public static int mariadbPrepared(String nodeId) throws SQLException {
    byte[] node = nodeId.getBytes(StandardCharsets.US_ASCII);
    int n = 0;
    try (Connection c = DriverManager.getConnection(mariadbAdminUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("xa recover")) {
      while (rs.next()) {
        if (contains(rs.getBytes("data"), node)) {
          n++;
        }
      }
    }
    return n;
  }

  private static boolean contains(byte[] data, byte[] part) {
    outer:
    for (int i = 0; data != null && i + part.length <= data.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (data[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static String replaceDatabase(String url, String database) {
    int schemeEnd = url.indexOf("://") + 3;
    int slash = url.indexOf('/', schemeEnd);
    int query = url.indexOf('?', slash);
    return url.substring(0, slash + 1) + database + (query < 0 ? "" : url.substring(query));
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
}
