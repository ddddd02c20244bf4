package dev.xatm.it.jta;

import dev.xatm.it.support.MariaDbServer;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * One real database of the JTA-semantics tests: PostgreSQL and MariaDB (the shared servers) or an
 * embedded H2 file database, each with a table {@code acct(id int primary key, v int)}.
 */
enum Db {
  POSTGRESQL,
  MARIADB,
  H2;

  static final String DATABASE = "xatm_jta_it";

  private static Path h2Dir;

  /**
   * Recreates the test database on both servers and starts a TM on a log under {@code tempDir}, not
   * installed as the JVM default, with a short reaper interval.
   */
  static XatmTransactionManager prepare(Path tempDir, String nodeId, Duration reaperInterval)
      throws SQLException {
    h2Dir = tempDir;
    PostgresServer.shared().recreateDatabase(DATABASE);
    MariaDbServer.shared().recreateDatabase(DATABASE);
    return XatmTransactionManager.start(
        XatmConfig.builder()
            .nodeId(nodeId)
            .logDir(tempDir.resolve("log"))
            .installAsDefault(false)
            .reaperInterval(reaperInterval)
            .build());
  }

  /** The plain vendor URL (no xatm), for a second session that probes locks. */
  String plainUrl() {
    return switch (this) {
      case POSTGRESQL -> PostgresServer.shared().url(DATABASE);
      case MARIADB -> MariaDbServer.shared().url(DATABASE);
      case H2 -> "jdbc:h2:file:" + h2Dir.resolve("h2db").toAbsolutePath() + ";USER=sa";
    };
  }

  String xaUrl() {
    return plainUrl().replace("jdbc:", "jdbc:xa:");
  }

  XatmDataSource pool(XatmTransactionManager tm, int maxPoolSize) throws SQLException {
    return XatmDataSource.builder().url(xaUrl()).runtime(tm).maxPoolSize(maxPoolSize).build();
  }

  /** A statement that runs for {@code seconds} unless cancelled. */
  String sleep(int seconds) {
    return switch (this) {
      case POSTGRESQL -> "select pg_sleep(" + seconds + ")";
      case MARIADB -> "select sleep(" + seconds + ")";
      case H2 -> throw new UnsupportedOperationException("no sleep statement in H2");
    };
  }

  /** Makes a plain session wait at most {@code seconds} for a row lock. */
  String lockWait(int seconds) {
    return switch (this) {
      case POSTGRESQL -> "set lock_timeout = '" + seconds + "s'";
      case MARIADB -> "set innodb_lock_wait_timeout = " + seconds;
      case H2 -> "set lock_timeout " + seconds * 1000;
    };
  }

  Connection plain() throws SQLException {
    return DriverManager.getConnection(plainUrl());
  }

  void resetTable(String table, int rows) throws SQLException {
    try (Connection c = plain();
        Statement s = c.createStatement()) {
      s.execute("drop table if exists " + table);
      s.execute("create table " + table + "(id int primary key, v int)");
      for (int i = 1; i <= rows; i++) {
        s.execute("insert into " + table + " values (" + i + ", 0)");
      }
    }
  }

  static void set(Connection c, String table, int id, int v) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("update " + table + " set v = ? where id = ?")) {
      ps.setInt(1, v);
      ps.setInt(2, id);
      if (ps.executeUpdate() != 1) {
        throw new AssertionError("row " + id + " of " + table + " not found");
      }
    }
  }

  /** The committed values of rows 1..n, read by a plain session. */
  List<Integer> values(String table) throws SQLException {
    List<Integer> out = new ArrayList<>();
    try (Connection c = plain();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select v from " + table + " order by id")) {
      while (rs.next()) {
        out.add(rs.getInt(1));
      }
    }
    return out;
  }

  /**
   * Prepared branches of node {@code nodeId} left on this database (0 for H2, which the tests do
   * not prepare alone). Only this node's: other test runs may share the servers.
   */
  int preparedLeft(String nodeId) throws SQLException {
    return switch (this) {
      case POSTGRESQL -> {
        int n = 0;
        try (Connection c = DriverManager.getConnection(PostgresServer.shared().adminUrl());
            Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "select gid from pg_prepared_xacts where database = '" + DATABASE + "'")) {
          while (rs.next()) {
            // pgjdbc's gid: formatId_base64(gtrid)_base64(bqual)
            String[] f = rs.getString(1).split("_");
            if (f.length == 3 && ofNode(Base64.getDecoder().decode(f[1]), nodeId)) {
              n++;
            }
          }
        }
        yield n;
      }
      case MARIADB -> {
        int n = 0;
        try (Connection c = DriverManager.getConnection(MariaDbServer.shared().adminUrl());
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("xa recover")) {
          while (rs.next()) {
            byte[] data = rs.getBytes("data");
            int gtridLength = rs.getInt("gtrid_length");
            if (ofNode(Arrays.copyOf(data, Math.min(gtridLength, data.length)), nodeId)) {
              n++;
            }
          }
        }
        yield n;
      }
      case H2 -> 0;
    };
  }

  private static boolean ofNode(byte[] gtrid, String nodeId) {
    return Gtrid.fromBytes(gtrid).map(g -> g.nodeId().equals(nodeId)).orElse(false);
  }
}
