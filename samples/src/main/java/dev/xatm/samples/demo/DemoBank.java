package dev.xatm.samples.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * One of the demo's two banks: an embedded H2 file database with one account and a journal of the
 * transfers it took part in. The journal lets the demo prove that every transfer happened exactly
 * once on both sides: {@code balance = opening ± amount × transfers}.
 *
 * <p>Not thread-safe; the demo is single-threaded.
 */
final class DemoBank {
  static final long OPENING_BALANCE = 1_000;

  final String name;
  final String account;
  final String url;
  final DataSource dataSource;
  private final int sign;

  /**
   * @param sign -1 for the bank money leaves, +1 for the bank it arrives in
   */
  DemoBank(String name, String account, String url, DataSource dataSource, int sign) {
    this.name = name;
    this.account = account;
    this.url = url;
    this.dataSource = dataSource;
    this.sign = sign;
  }

  /** Creates the tables and the account on first use (outside any transaction: autocommit). */
  void createIfMissing() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "create table if not exists account(owner varchar(20) primary key, balance bigint not"
              + " null)");
      s.execute(
          "create table if not exists transfer(id varchar(64) primary key, amount bigint not"
              + " null)");
      s.execute(
          "merge into account key(owner) select '"
              + account
              + "', "
              + (sign < 0 ? OPENING_BALANCE : 0)
              + " where not exists (select 1 from account)");
    }
  }

  /** Adds {@code sign × amount} to the account and journals the transfer, on {@code c}. */
  void book(Connection c, String transferId, long amount) throws SQLException {
    try (PreparedStatement u =
        c.prepareStatement("update account set balance = balance + ? where owner = ?")) {
      u.setLong(1, sign * amount);
      u.setString(2, account);
      if (u.executeUpdate() != 1) {
        throw new SQLException("account " + account + " is missing in " + name);
      }
    }
    try (PreparedStatement i = c.prepareStatement("insert into transfer values (?, ?)")) {
      i.setString(1, transferId);
      i.setLong(2, amount);
      i.executeUpdate();
    }
  }

  /** Balance and journal read outside a transaction (committed data only). */
  Snapshot read() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      long balance;
      try (ResultSet a =
          s.executeQuery("select balance from account where owner = '" + account + "'")) {
        a.next();
        balance = a.getLong(1);
      }
      try (ResultSet t =
          s.executeQuery("select count(*), coalesce(sum(amount), 0) from transfer")) {
        t.next();
        return new Snapshot(balance, t.getInt(1), t.getLong(2));
      }
    }
  }

  /** The ids of every transfer this bank took part in. */
  Set<String> transferIds() throws SQLException {
    Set<String> ids = new TreeSet<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select id from transfer")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  /** Whether the balance is exactly what the journal says it must be. */
  boolean consistent(Snapshot s) {
    long opening = sign < 0 ? OPENING_BALANCE : 0;
    return s.balance == opening + sign * s.journaledAmount;
  }

  record Snapshot(long balance, int transfers, long journaledAmount) {}
}
