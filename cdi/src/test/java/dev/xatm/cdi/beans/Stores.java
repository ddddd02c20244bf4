package dev.xatm.cdi.beans;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.testkit.SharedDatabases;
import dev.xatm.tm.XatmTransactionManager;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The two databases of the CDI integration tests as an application would hold them: one pooled
 * {@code jdbc:xa:} XatmDataSource for PostgreSQL and one for MariaDB, built from the container's
 * transaction manager and closed when the container shuts down.
 */
@ApplicationScoped
public class Stores {
  public static final String DATABASE = "xatm_cdi_it";
  public static final String TABLE = "cdi_acct";
  public static final int ROWS = 40;

  @Inject XatmTransactionManager tm;

  private XatmDataSource postgres;
  private XatmDataSource mariadb;

  /** Which database. */
  public enum Db {
    POSTGRESQL,
    MARIADB
  }

  /** Drops and recreates both databases with rows 1..{@link #ROWS} at 0 (before the container). */
  public static void prepare() throws SQLException {
    SharedDatabases.recreatePostgresDatabase(DATABASE);
    SharedDatabases.recreateMariaDbDatabase(DATABASE);
    for (Db db : Db.values()) {
      try (Connection c = plain(db);
          Statement s = c.createStatement()) {
        s.execute("create table " + TABLE + "(id int primary key, v int)");
        for (int i = 1; i <= ROWS; i++) {
          s.execute("insert into " + TABLE + " values (" + i + ", 0)");
        }
      }
    }
  }

  public static String plainUrl(Db db) {
    return db == Db.POSTGRESQL
        ? SharedDatabases.postgresUrl(DATABASE)
        : SharedDatabases.mariadbUrl(DATABASE);
  }

  /** A session outside xatm (autocommit), to read what was committed or probe locks. */
  public static Connection plain(Db db) throws SQLException {
    return DriverManager.getConnection(plainUrl(db));
  }

  @PostConstruct
  void open() {
    try {
      postgres = pool(Db.POSTGRESQL);
      mariadb = pool(Db.MARIADB);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the test DataSources: " + e.getMessage(), e);
    }
  }

  private XatmDataSource pool(Db db) throws SQLException {
    return XatmDataSource.builder()
        .url(plainUrl(db).replace("jdbc:", "jdbc:xa:"))
        .runtime(tm)
        .maxPoolSize(4)
        .build();
  }

  @PreDestroy
  void close() {
    postgres.close();
    mariadb.close();
  }

  public XatmDataSource dataSource(Db db) {
    return db == Db.POSTGRESQL ? postgres : mariadb;
  }

  /** Sets row {@code id} to {@code v} in both databases through the XatmDataSources. */
  public void setBoth(int id, int v) throws SQLException {
    for (Db db : Db.values()) {
      set(db, id, v);
    }
  }

  public void set(Db db, int id, int v) throws SQLException {
    try (Connection c = dataSource(db).getConnection();
        PreparedStatement ps = c.prepareStatement("update " + TABLE + " set v = ? where id = ?")) {
      ps.setInt(1, v);
      ps.setInt(2, id);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("row " + id + " not found in " + db);
      }
    }
  }

  /** The committed value of row {@code id} in each database, read by plain sessions. */
  public static List<Integer> committed(int id) throws SQLException {
    List<Integer> out = new ArrayList<>();
    for (Db db : Db.values()) {
      try (Connection c = plain(db);
          PreparedStatement ps = c.prepareStatement("select v from " + TABLE + " where id = ?")) {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.add(rs.getInt(1));
        }
      }
    }
    return out;
  }
}
