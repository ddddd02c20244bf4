package dev.xatm.it.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xatm.it.support.MariaDbServer;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every session attribute a borrower can change through the JDBC API, against real PostgreSQL and
 * MariaDB: the borrower changes it and returns the connection; the next borrower, on the same
 * physical connection (pool of one, same backend id), sees the default. Where a vendor ignores or
 * refuses an attribute, the case asserts exactly that, so it fails if the vendor starts honouring
 * it and the reset is then needed.
 */
class SessionResetIT {
  private static final String DB = "xatm_reset_it";
  private static final String OTHER_DB = "xatm_reset_other";
  private static PostgresServer pg;
  private static MariaDbServer mariadb;

  @TempDir static Path logDir;
  private static XatmTransactionManager tm;
  private XatmDataSource ds;

  @BeforeAll
  static void databases() throws SQLException {
    pg = PostgresServer.shared();
    mariadb = MariaDbServer.shared();
    pg.recreateDatabase(DB);
    mariadb.recreateDatabase(DB);
    mariadb.recreateDatabase(OTHER_DB);
    try (Connection c = DriverManager.getConnection(pg.url(DB));
        Statement s = c.createStatement()) {
      s.execute("create schema xatm_reset_schema");
    }
    tm =
        XatmTransactionManager.start(
            XatmConfig.builder()
                .nodeId("reset-it")
                .logDir(logDir.resolve("log"))
                .installAsDefault(false)
                .build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (tm != null) {
      tm.close();
    }
  }

  @AfterEach
  void close() {
    if (ds != null) {
      ds.close();
    }
  }

  private enum Db {
    PG,
    MARIADB
  }

  private XatmDataSource pool(Db db) throws SQLException {
    if (ds != null) {
      ds.close();
    }
    String url = (db == Db.PG ? pg.url(DB) : mariadb.url(DB)).replace("jdbc:", "jdbc:xa:");
    ds =
        XatmDataSource.builder()
            .url(url)
            .runtime(tm)
            .maxPoolSize(1)
            .acquireTimeout(Duration.ofSeconds(10))
            .build();
    return ds;
  }

  private static String backend(Db db, Connection c) throws SQLException {
    return query(c, db == Db.PG ? "select pg_backend_pid()" : "select connection_id()");
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @FunctionalInterface
  private interface Get<T> {
    T get(Connection c) throws SQLException;
  }

  @FunctionalInterface
  private interface Set<T> {
    void set(Connection c, T value) throws SQLException;
  }

  /** The borrower's change is seen by it, and the next borrower of the same backend sees none. */
  private <T> void assertReset(Db db, Get<T> get, Set<T> set, T changed) throws SQLException {
    XatmDataSource pool = pool(db);
    T initial;
    String backend;
    try (Connection c = pool.getConnection()) {
      backend = backend(db, c);
      initial = get.get(c);
      assertNotEquals(changed, initial, db + ": the case must change the attribute");
      set.set(c, changed);
      assertEquals(changed, get.get(c), db + ": the change took effect for its borrower");
    }
    try (Connection c = pool.getConnection()) {
      assertEquals(backend, backend(db, c), db + ": the same physical connection");
      assertEquals(initial, get.get(c), db + ": the next borrower sees the default");
    }
    assertEquals(1, pool.stats().created(), db + ": reset, not replaced");
    assertEquals(0, pool.stats().destroyed(), db + ": reset, not replaced");
  }

  /** The vendor ignores the setter: nothing changes, nothing needs a reset. */
  private <T> void assertIgnored(Db db, Get<T> get, Set<T> set, T changed) throws SQLException {
    XatmDataSource pool = pool(db);
    try (Connection c = pool.getConnection()) {
      T initial = get.get(c);
      set.set(c, changed);
      assertEquals(initial, get.get(c), db + " ignores this attribute");
    }
    try (Connection c = pool.getConnection()) {
      c.isValid(5);
    }
    assertEquals(0, pool.stats().destroyed(), db + ": the connection stays in the pool");
  }

  @Test
  void readOnly() throws SQLException {
    for (Db db : Db.values()) {
      assertReset(db, Connection::isReadOnly, Connection::setReadOnly, true);
      // What the server says, not just the driver's idea of it. pgjdbc applies read-only per
      // transaction (BEGIN READ ONLY), so both borrowers look inside a local transaction.
      // MariaDB Connector/J 3.5 keeps it on the client (StandardClient.setReadOnly sends
      // nothing; it only steers replication setups): asserted, so that this fails if it starts
      // sending it and the reset then has to reach the server too.
      String sql = db == Db.PG ? "show transaction_read_only" : "select @@session.tx_read_only";
      XatmDataSource pool = pool(db);
      try (Connection c = pool.getConnection()) {
        c.setReadOnly(true);
        c.setAutoCommit(false);
        assertEquals(
            db == Db.PG ? "on" : "0",
            query(c, sql),
            db == Db.PG ? "PG: the server got it" : "MARIADB: the server is not told");
        c.rollback();
      }
      try (Connection c = pool.getConnection()) {
        c.setAutoCommit(false);
        assertEquals(db == Db.PG ? "off" : "0", query(c, sql), db + ": the next borrower's");
        c.rollback();
      }
      assertEquals(1, pool.stats().created(), db + ": reset, not replaced");
    }
  }

  @Test
  void isolation() throws SQLException {
    for (Db db : Db.values()) {
      assertReset(
          db,
          Connection::getTransactionIsolation,
          Connection::setTransactionIsolation,
          Connection.TRANSACTION_SERIALIZABLE);
      // What the server says, not just the driver's idea of it.
      try (Connection c = ds.getConnection()) {
        String level =
            query(c, db == Db.PG ? "show transaction_isolation" : "select @@session.tx_isolation");
        assertEquals(db == Db.PG ? "read committed" : "REPEATABLE-READ", level, db.name());
      }
    }
  }

  @Test
  void catalog() throws SQLException {
    assertReset(Db.MARIADB, Connection::getCatalog, Connection::setCatalog, OTHER_DB);
    try (Connection c = ds.getConnection()) {
      assertEquals(DB, query(c, "select database()"), "MariaDB: the server's current database");
    }
    assertIgnored(Db.PG, Connection::getCatalog, Connection::setCatalog, "postgres");
  }

  @Test
  void schema() throws SQLException {
    assertReset(Db.PG, Connection::getSchema, Connection::setSchema, "xatm_reset_schema");
    try (Connection c = ds.getConnection()) {
      assertEquals("public", query(c, "select current_schema()"), "PostgreSQL: search_path");
    }
    // Connector/J: a schema is the catalog in MySQL terms; setSchema does nothing.
    assertIgnored(Db.MARIADB, Connection::getSchema, Connection::setSchema, OTHER_DB);
  }

  @Test
  void holdability() throws SQLException {
    assertReset(
        Db.PG,
        Connection::getHoldability,
        Connection::setHoldability,
        ResultSet.HOLD_CURSORS_OVER_COMMIT);
    assertIgnored(
        Db.MARIADB,
        Connection::getHoldability,
        Connection::setHoldability,
        ResultSet.CLOSE_CURSORS_AT_COMMIT);
  }

  @Test
  void typeMap() throws SQLException {
    Map<String, Class<?>> changed = Map.of("xatm_type", String.class);
    assertReset(Db.PG, Connection::getTypeMap, Connection::setTypeMap, changed);
    // pgjdbc hands out its own map: a change in place is reset too.
    XatmDataSource pool = pool(Db.PG);
    try (Connection c = pool.getConnection()) {
      c.getTypeMap().put("xatm_type", String.class);
      assertEquals(changed, c.getTypeMap());
    }
    try (Connection c = pool.getConnection()) {
      assertEquals(Map.of(), c.getTypeMap());
    }
    // Connector/J refuses type maps; looking at one must not cost the connection.
    XatmDataSource maria = pool(Db.MARIADB);
    try (Connection c = maria.getConnection()) {
      assertEquals(Map.of(), c.getTypeMap());
      assertThrows(SQLFeatureNotSupportedException.class, () -> c.setTypeMap(changed));
    }
    try (Connection c = maria.getConnection()) {
      c.isValid(5);
    }
    assertEquals(0, maria.stats().destroyed(), "MariaDB: the connection stays in the pool");
  }

  @Test
  void networkTimeout() throws SQLException {
    for (Db db : Db.values()) {
      assertReset(
          db,
          Connection::getNetworkTimeout,
          (c, ms) -> c.setNetworkTimeout(Runnable::run, ms),
          12_345);
    }
  }

  @Test
  void clientInfo() throws SQLException {
    for (Db db : Db.values()) {
      // Connector/J cannot remove a property (null is refused): the reset leaves it empty.
      assertReset(
          db,
          c -> java.util.Objects.toString(c.getClientInfo("ApplicationName"), ""),
          (c, v) -> c.setClientInfo("ApplicationName", v),
          "xatm-batch-42");
    }
    pool(Db.PG);
    try (Connection c = ds.getConnection()) {
      assertEquals("PostgreSQL JDBC Driver", query(c, "show application_name"));
    }
  }

  @Test
  void autoCommitAndTheLocalTransactionLeftOpen() throws SQLException {
    for (Db db : Db.values()) {
      XatmDataSource pool = pool(db);
      try (Connection c = pool.getConnection();
          Statement s = c.createStatement()) {
        s.execute("create table reset_ac_" + db.name().toLowerCase() + " (id int)");
      }
      try (Connection c = pool.getConnection();
          Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.executeUpdate("insert into reset_ac_" + db.name().toLowerCase() + " values (1)");
      }
      try (Connection c = pool.getConnection()) {
        assertEquals(true, c.getAutoCommit(), db.name());
        assertEquals(
            "0", query(c, "select count(*) from reset_ac_" + db.name().toLowerCase()), db.name());
      }
      assertEquals(1, pool.stats().created(), db.name());
    }
  }
}
