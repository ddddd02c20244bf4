package dev.xatm.it.crash;

import dev.xatm.it.support.MariaDbServer;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.tm.XatmXid;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * The two databases of the money-transfer workload: side A (always PostgreSQL) and side B
 * (PostgreSQL or MariaDB). Each holds {@code accounts(id, balance)} and {@code transfers(id,
 * amount)}; a transfer takes an amount from an account in A, adds it to an account in B, and writes
 * its id into both {@code transfers} tables, so the money total over A and B never changes and a
 * transfer is atomic exactly when its id is in both tables or in neither.
 *
 * <p>Everything here goes around the TM (plain JDBC and the vendor XADataSources), so the checks do
 * not trust the code under test. Not thread-safe.
 */
public final class Bank {
  /** Which servers hold the two sides. */
  public enum Pair {
    PG_PG,
    PG_MARIADB
  }

  /** Accounts per side; every account starts with {@link #INITIAL_BALANCE}. */
  public static final int ACCOUNTS = 32;

  public static final long INITIAL_BALANCE = 1_000_000;

  private final Pair pair;
  private final Side a;
  private final Side b;

  private Bank(Pair pair, Side a, Side b) {
    this.pair = pair;
    this.a = a;
    this.b = b;
  }

  /**
   * The bank on {@code pg} (side A, and side B for {@link Pair#PG_PG}) and MariaDB; databases
   * {@code <prefix>_a} and {@code <prefix>_b} are created if missing, not emptied (see {@link
   * #reset()}).
   */
  public static Bank on(Pair pair, PostgresServer pg, String prefix) throws SQLException {
    Side a = Side.postgres(pg, prefix + "_a");
    Side b =
        pair == Pair.PG_PG
            ? Side.postgres(pg, prefix + "_b")
            : Side.mariadb(MariaDbServer.shared(), prefix + "_b");
    return new Bank(pair, a, b);
  }

  /** Drops and recreates both databases (once per test class). */
  public Bank recreate() throws SQLException {
    for (Side s : List.of(a, b)) {
      if (!s.isPostgres()) {
        // A prepared XA transaction left by an earlier run blocks DROP DATABASE in MariaDB.
        s.rollbackAllPrepared();
      }
      s.recreate();
    }
    return this;
  }

  /**
   * Rolls back every prepared branch left in both databases (of any node: the databases are this
   * test's own), recreates the tables and funds the accounts.
   */
  public void reset() throws SQLException {
    for (Side s : List.of(a, b)) {
      s.rollbackAllPrepared();
      s.createSchema();
    }
  }

  public Pair pair() {
    return pair;
  }

  public Side a() {
    return a;
  }

  public Side b() {
    return b;
  }

  public List<Side> sides() {
    return List.of(a, b);
  }

  /** The money total over both sides when nothing has happened. */
  public static long initialTotal() {
    return 2L * ACCOUNTS * INITIAL_BALANCE;
  }

  public long total() throws SQLException {
    return a.balanceSum() + b.balanceSum();
  }

  /**
   * Recovery settings for both sides: {@code xatm.recovery.resource.<name>.url/.user/.password}.
   */
  public Map<String, String> recoveryProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.putAll(a.recoveryProperties("bank-a"));
    p.putAll(b.recoveryProperties("bank-b"));
    return p;
  }

  @Override
  public String toString() {
    return pair + "[" + a + " + " + b + "]";
  }

  /** One database of the bank. */
  public static final class Side {
    private final String vendor;
    private final String host;
    private final String database;
    private final String user;
    private final String password;
    private final String adminUrl;
    private final Recreator recreator;

    @FunctionalInterface
    private interface Recreator {
      void recreate(String database) throws SQLException;
    }

    private Side(
        String vendor,
        String host,
        String database,
        String user,
        String password,
        String adminUrl,
        Recreator recreator) {
      this.vendor = vendor;
      this.host = host;
      this.database = database;
      this.user = user;
      this.password = password;
      this.adminUrl = adminUrl;
      this.recreator = recreator;
    }

    static Side postgres(PostgresServer pg, String database) {
      return new Side(
          "postgresql",
          pg.hostPort(),
          database,
          "postgres",
          "",
          pg.adminUrl(),
          pg::recreateDatabase);
    }

    static Side mariadb(MariaDbServer m, String database) {
      return new Side(
          "mariadb", m.hostPort(), database, "root", "", m.adminUrl(), m::recreateDatabase);
    }

    public boolean isPostgres() {
      return vendor.equals("postgresql");
    }

    public String database() {
      return database;
    }

    public String user() {
      return user;
    }

    public String password() {
      return password;
    }

    /** The {@code jdbc:xa:} URL without credentials (they are passed separately). */
    public String xaUrl() {
      return "jdbc:xa:" + vendor + "://" + host + "/" + database;
    }

    /** A plain JDBC connection, outside any XA transaction. */
    public Connection connect() throws SQLException {
      return DriverManager.getConnection(
          "jdbc:" + vendor + "://" + host + "/" + database, user, password);
    }

    /** The vendor XADataSource of this database, bypassing xatm. */
    public XADataSource vendorXaDataSource() throws SQLException {
      if (isPostgres()) {
        PGXADataSource ds = new PGXADataSource();
        ds.setUrl("jdbc:postgresql://" + host + "/" + database);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
      }
      MariaDbDataSource ds = new MariaDbDataSource();
      ds.setUrl("jdbc:mariadb://" + host + "/" + database);
      ds.setUser(user);
      ds.setPassword(password);
      return ds;
    }

    Map<String, String> recoveryProperties(String name) {
      Map<String, String> p = new LinkedHashMap<>();
      String prefix = "xatm.recovery.resource." + name + ".";
      p.put(prefix + "url", xaUrl());
      p.put(prefix + "user", user);
      p.put(prefix + "password", password);
      return p;
    }

    void recreate() throws SQLException {
      recreator.recreate(database);
    }

    void createSchema() throws SQLException {
      try (Connection c = connect();
          Statement s = c.createStatement()) {
        s.execute("drop table if exists accounts");
        s.execute("drop table if exists transfers");
        s.execute("create table accounts (id int primary key, balance bigint not null)");
        s.execute("create table transfers (id varchar(64) primary key, amount bigint not null)");
        try (PreparedStatement ps = c.prepareStatement("insert into accounts values (?, ?)")) {
          for (int i = 0; i < ACCOUNTS; i++) {
            ps.setInt(1, i);
            ps.setLong(2, INITIAL_BALANCE);
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
    }

    public long balanceSum() throws SQLException {
      try (Connection c = connect();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select coalesce(sum(balance), 0) from accounts")) {
        rs.next();
        return rs.getLong(1);
      }
    }

    /** Transfer id to amount, as committed in this database. */
    public Map<String, Long> transfers() throws SQLException {
      Map<String, Long> out = new HashMap<>();
      try (Connection c = connect();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select id, amount from transfers")) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
      return out;
    }

    /**
     * The prepared branches of {@code nodeId} this database holds, found with the vendor's {@code
     * XAResource.recover} (PostgreSQL: {@code pg_prepared_xacts} of this database; MariaDB: {@code
     * XA RECOVER}) and recognised with {@link XatmXid#parse} (format id and exact node id).
     */
    public List<XatmXid> preparedOf(String nodeId) throws SQLException {
      List<XatmXid> out = new ArrayList<>();
      for (Xid x : recoverAll()) {
        XatmXid.parse(x, nodeId).ifPresent(out::add);
      }
      return out;
    }

    /** Every prepared branch the vendor lists from this database, of any format. */
    public List<Xid> recoverAll() throws SQLException {
      XAConnection xa = vendorXaDataSource().getXAConnection();
      try {
        return List.of(xa.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN));
      } catch (XAException e) {
        throw new SQLException("XA recover on " + this + " failed, error code " + e.errorCode, e);
      } finally {
        xa.close();
      }
    }

    /** Rolls back every prepared branch of this database (test set-up, any owner). */
    void rollbackAllPrepared() throws SQLException {
      if (isPostgres()) {
        try (Connection c = connect();
            Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "select gid from pg_prepared_xacts where database = current_database()")) {
          List<String> gids = new ArrayList<>();
          while (rs.next()) {
            gids.add(rs.getString(1));
          }
          for (String gid : gids) {
            s.execute("rollback prepared '" + gid.replace("'", "''") + "'");
          }
        }
        return;
      }
      // MariaDB lists prepared XA transactions server-wide; only this test's node ids start with
      // "crash" or "rcv", so those are the only ones touched. The admin URL works even when this
      // database does not exist yet.
      MariaDbDataSource admin = new MariaDbDataSource();
      admin.setUrl(adminUrl);
      XAConnection xa = admin.getXAConnection();
      try {
        XAResource r = xa.getXAResource();
        for (Xid x : r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)) {
          if (x.getFormatId() == XatmXid.FORMAT_ID && ownedByTheseTests(x)) {
            r.rollback(x);
          }
        }
      } catch (XAException e) {
        throw new SQLException("cleaning prepared branches of " + this + " failed: " + e, e);
      } finally {
        xa.close();
      }
    }

    private static boolean ownedByTheseTests(Xid x) {
      return dev.xatm.tm.Gtrid.fromBytes(x.getGlobalTransactionId())
          .map(g -> g.nodeId().startsWith("crash") || g.nodeId().startsWith("rcv"))
          .orElse(false);
    }

    /** The admin URL of the server (for server-side actions such as killing a session). */
    public String adminUrl() {
      return adminUrl;
    }

    @Override
    public String toString() {
      return vendor + "://" + host + "/" + database;
    }
  }
}
