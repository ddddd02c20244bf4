package dev.xatm.it.boot;

import dev.xatm.testkit.LocalPostgresCluster;
import dev.xatm.tm.Gtrid;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The real PostgreSQL and MariaDB of the tests: {@code XATM_IT_PG_URL} / {@code
 * XATM_IT_MARIADB_URL} (JDBC URLs of an admin database) when set, else 127.0.0.1 (PostgreSQL as
 * {@code postgres} with trust, MariaDB as {@code root} without password), as in module {@code it}.
 * A server that cannot be reached fails the test; nothing is skipped.
 */
public final class Servers {
  private Servers() {}

  /** The Boot line under test ({@code 3.5}, {@code 4.0}, {@code 4.1}), from the module's pom. */
  public static String line() {
    return System.getProperty("it.boot.line", "unknown");
  }

  /**
   * The line without dots ({@code 35}, {@code 40}, {@code 41}), for database names and node ids,
   * so the modules never share a database.
   */
  public static String tag() {
    return line().replace(".", "");
  }

  /**
   * {@code host:port} of a PostgreSQL with prepared transactions: {@code XATM_IT_PG_URL}'s, else
   * 127.0.0.1:5432 when its {@code max_prepared_transactions > 0}, else a private cluster started
   * from the installed server binaries under {@code target/pg-cluster} on port {@value
   * #PRIVATE_PG_PORT} (as module {@code it} does), stopped when the JVM exits. A child JVM is
   * handed the answer in the system property {@value #PG_PROPERTY}.
   */
  public static synchronized String pgHostPort() {
    if (pgHostPort == null) {
      pgHostPort = locatePg();
    }
    return pgHostPort;
  }

  /** System property a child JVM gets the PostgreSQL {@code host:port} from. */
  public static final String PG_PROPERTY = "it.boot.pg";

  private static final int PRIVATE_PG_PORT = 29432; // below the ephemeral ports (32768-60999)
  private static String pgHostPort;

  private static String locatePg() {
    String given = System.getProperty(PG_PROPERTY);
    if (given != null) {
      return given;
    }
    String env = System.getenv("XATM_IT_PG_URL");
    if (env != null && !env.isBlank()) {
      return hostPort(env, "jdbc:postgresql://", null);
    }
    String local = "127.0.0.1:5432";
    try {
      if (queryLong(
              "jdbc:postgresql://" + local + "/postgres?user=postgres",
              "select setting::int from pg_settings where name = 'max_prepared_transactions'")
          > 0) {
        return local;
      }
    } catch (SQLException e) {
      // not there or not usable: start a private cluster
    }
    LocalPostgresCluster cluster =
        LocalPostgresCluster.builder(
                Path.of("target", "pg-cluster").toAbsolutePath(), PRIVATE_PG_PORT)
            .setting("max_prepared_transactions", "100")
            .setting("fsync", "on")
            .build();
    try {
      cluster.start();
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "no PostgreSQL with max_prepared_transactions > 0: set XATM_IT_PG_URL, run bash"
              + " .ci/prepare-databases.sh, or install the server binaries: "
              + e.getMessage(),
          e);
    }
    cluster.stopOnExit();
    return "127.0.0.1:" + PRIVATE_PG_PORT;
  }

  public static String mariaHostPort() {
    return hostPort(System.getenv("XATM_IT_MARIADB_URL"), "jdbc:mariadb://", "127.0.0.1:3306");
  }

  private static String hostPort(String url, String prefix, String fallback) {
    if (url == null || url.isBlank()) {
      return fallback;
    }
    String rest = url.substring(prefix.length());
    return rest.substring(0, rest.indexOf('/'));
  }

  public static String pgAdminUrl() {
    return "jdbc:postgresql://" + pgHostPort() + "/postgres?user=postgres";
  }

  public static String mariaAdminUrl() {
    return "jdbc:mariadb://" + mariaHostPort() + "/test?user=root";
  }

  public static String pgUrl(String db) {
    return "jdbc:postgresql://" + pgHostPort() + "/" + db + "?user=postgres";
  }

  public static String mariaUrl(String db) {
    return "jdbc:mariadb://" + mariaHostPort() + "/" + db + "?user=root";
  }

  /** Drops (rolling back what is prepared in it) and creates a PostgreSQL database. */
  public static void recreatePg(String db) throws SQLException {
    try (Connection c = DriverManager.getConnection(pgAdminUrl());
        Statement s = c.createStatement()) {
      List<String> gids = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery("select gid from pg_prepared_xacts where database = '" + db + "'")) {
        while (rs.next()) {
          gids.add(rs.getString(1));
        }
      }
      for (String gid : gids) {
        try (Connection d = DriverManager.getConnection(pgUrl(db));
            Statement ds = d.createStatement()) {
          ds.execute("rollback prepared '" + gid.replace("'", "''") + "'");
        }
      }
      s.execute("drop database if exists " + db + " with (force)");
      s.execute("create database " + db);
    }
  }

  /** Drops and creates a MariaDB database, first rolling back XA transactions of {@code node}. */
  public static void recreateMaria(String db, String node) throws SQLException {
    try (Connection c = DriverManager.getConnection(mariaAdminUrl());
        Statement s = c.createStatement()) {
      for (String xid : mariaPrepared(node)) {
        s.execute("xa rollback " + xid);
      }
      s.execute("drop database if exists " + db);
      s.execute("create database " + db);
    }
  }

  public static void execute(String url, String... sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  public static long queryLong(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        throw new AssertionError("no row for " + sql + " at " + url);
      }
      return rs.getLong(1);
    }
  }

  /** Gids prepared in a PostgreSQL database. */
  public static List<String> pgPrepared(String db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(pgAdminUrl());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("select gid from pg_prepared_xacts where database = '" + db + "'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /**
   * XA transactions prepared on the MariaDB server (it lists them server-wide) whose gtrid is one
   * of xatm's for {@code node}, as {@code XA ROLLBACK} arguments.
   */
  public static List<String> mariaPrepared(String node) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(mariaAdminUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("xa recover")) {
      while (rs.next()) {
        byte[] data = rs.getBytes("data");
        int g = rs.getInt("gtrid_length");
        int b = rs.getInt("bqual_length");
        byte[] gtrid = Arrays.copyOf(data, g);
        if (Gtrid.fromBytes(gtrid).filter(x -> x.nodeId().equals(node)).isPresent()) {
          out.add(
              "x'"
                  + hex(gtrid)
                  + "',x'"
                  + hex(Arrays.copyOfRange(data, g, g + b))
                  + "',"
                  + rs.getLong("formatID"));
        }
      }
    }
    return out;
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x));
    }
    return sb.toString();
  }
}
