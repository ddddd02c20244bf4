package dev.xatm.bench.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The two benchmark databases ({@value #DB_A} and {@value #DB_B}), each with {@code account(id int
 * primary key, balance bigint)}. Every transaction moves 1 from a row of A to the row with the same
 * id in B. Thread {@code t} only uses the rows {@code t × ROWS_PER_THREAD ...}, so threads never
 * wait for each other's row locks: what is measured is the commit protocol, not contention.
 */
final class BankTables {
  static final String DB_A = "xatm_e2e_a";
  static final String DB_B = "xatm_e2e_b";
  static final int ROWS_PER_THREAD = 16;
  static final long OPENING = 1_000_000_000L;
  static final String DEBIT = "update account set balance = balance - 1 where id = ?";
  static final String CREDIT = "update account set balance = balance + 1 where id = ?";

  private final BenchServer server;
  private final int rows;

  BankTables(BenchServer server, int maxThreads) {
    this.server = server;
    this.rows = maxThreads * ROWS_PER_THREAD;
  }

  static int row(int thread, long sequence) {
    return thread * ROWS_PER_THREAD + (int) (sequence % ROWS_PER_THREAD);
  }

  void create() throws SQLException {
    for (String admin : server.adminUrls()) {
      create(admin);
    }
    fill();
  }

  /** Both databases on every server in use (the unused copy stays empty). */
  private void create(String adminUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      for (String db : new String[] {DB_A, DB_B}) {
        try (ResultSet rs =
            s.executeQuery("select gid from pg_prepared_xacts where database = '" + db + "'")) {
          if (rs.next()) {
            throw new SQLException(
                db + " holds prepared transaction " + rs.getString(1) + " from an earlier run");
          }
        }
        s.execute("drop database if exists " + db + " with (force)");
        s.execute("create database " + db);
      }
    }
  }

  private void fill() throws SQLException {
    for (String db : new String[] {DB_A, DB_B}) {
      try (Connection c = DriverManager.getConnection(server.url(db));
          Statement s = c.createStatement()) {
        s.execute("create table account(id int primary key, balance bigint not null)");
        s.execute(
            "insert into account select g, "
                + OPENING
                + " from generate_series(0, "
                + (rows - 1)
                + ") g");
        s.execute("vacuum analyze account");
      }
    }
  }

  /** Sum of balances in A and in B. */
  long[] sums() throws SQLException {
    return new long[] {sum(DB_A), sum(DB_B)};
  }

  private long sum(String db) throws SQLException {
    try (Connection c = DriverManager.getConnection(server.url(db));
        PreparedStatement ps = c.prepareStatement("select sum(balance) from account");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Prepared transactions left in either database. */
  int preparedLeft() throws SQLException {
    int left = 0;
    for (String admin : server.adminUrls()) {
      try (Connection c = DriverManager.getConnection(admin);
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "select count(*) from pg_prepared_xacts where database in ('"
                      + DB_A
                      + "', '"
                      + DB_B
                      + "')")) {
        rs.next();
        left += rs.getInt(1);
      }
    }
    return left;
  }

  /**
   * Between configurations: clean dead row versions and flush, so none inherits the other's debt.
   */
  void settle() throws SQLException {
    for (String db : new String[] {DB_A, DB_B}) {
      try (Connection c = DriverManager.getConnection(server.url(db));
          Statement s = c.createStatement()) {
        s.execute("vacuum account");
      }
    }
    for (String admin : server.adminUrls()) {
      try (Connection c = DriverManager.getConnection(admin);
          Statement s = c.createStatement()) {
        s.execute("checkpoint");
      }
    }
  }

  /** Drops and creates an empty database beside the banks (the cluster mode's). */
  void createDatabase(String db) throws SQLException {
    try (Connection c = DriverManager.getConnection(server.url("postgres"));
        Statement s = c.createStatement()) {
      s.execute("drop database if exists " + db + " with (force)");
      s.execute("create database " + db);
    }
  }
}
