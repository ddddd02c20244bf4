package dev.xatm.jdbc;

import dev.xatm.jdbc.testing.FakeTransactionManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** An embedded H2 database per test with one table, and a pool over it. */
final class H2Fixture {
  final String name = "t" + UUID.randomUUID().toString().replace("-", "");
  final String plainUrl = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
  final String xaUrl = "jdbc:xa:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
  final AtomicLong clock = new AtomicLong(1_000_000_000L);

  H2Fixture() throws SQLException {
    exec("create table item(id int primary key, v varchar(50))");
  }

  XatmDataSource.Builder pool(FakeTransactionManager tm) {
    return XatmDataSource.builder()
        .url(xaUrl)
        .user("sa")
        .password("")
        .transactionManager(tm)
        .maxPoolSize(4)
        .acquireTimeout(Duration.ofSeconds(5))
        .housekeepingPeriod(Duration.ZERO)
        .nanoClock(clock::get);
  }

  void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  void exec(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(plainUrl, "sa", "");
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  int count() throws SQLException {
    try (Connection c = DriverManager.getConnection(plainUrl, "sa", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from item")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  int inDoubt() throws SQLException {
    try (Connection c = DriverManager.getConnection(plainUrl, "sa", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from information_schema.in_doubt")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  static void insert(Connection c, int id) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("insert into item values (" + id + ", 'v" + id + "')");
    }
  }
}
