package dev.xatm.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.xatm.jdbc.testing.FakeTransactionManager;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A borrower changes one session attribute and returns the connection; the next borrower, on the
 * same physical connection (pool of one), sees the default again. On H2, for the attributes H2 lets
 * a session change (it ignores read-only, catalog, type maps, network timeout and client info;
 * SessionStateTest covers those with a recording connection).
 */
class SessionResetTest {
  private final FakeTransactionManager tm = new FakeTransactionManager();
  private XatmDataSource ds;

  @AfterEach
  void close() {
    if (ds != null) {
      ds.close();
    }
  }

  private XatmDataSource pool(H2Fixture db) throws SQLException {
    ds = db.pool(tm).maxPoolSize(1).acquireTimeout(Duration.ofSeconds(5)).build();
    return ds;
  }

  @FunctionalInterface
  private interface Get<T> {
    T get(Connection c) throws SQLException;
  }

  @FunctionalInterface
  private interface Set<T> {
    void set(Connection c, T value) throws SQLException;
  }

  /** Changes the attribute in one borrow and checks the next borrow sees the default. */
  private <T> void assertReset(H2Fixture db, Get<T> get, Set<T> set, T changed) throws Exception {
    XatmDataSource pool = pool(db);
    T initial;
    try (Connection c = pool.getConnection()) {
      initial = get.get(c);
      assertNotEquals(initial, changed, "the test must change the attribute");
      set.set(c, changed);
      assertEquals(changed, get.get(c), "the change took effect for its borrower");
    }
    try (Connection c = pool.getConnection()) {
      assertEquals(initial, get.get(c), "the next borrower sees the default");
      // A change back to the default needs no reset; and the connection still works.
      set.set(c, initial);
      try (ResultSet rs = c.createStatement().executeQuery("select 1")) {
        rs.next();
      }
    }
    assertEquals(1, pool.stats().created(), "one physical connection served both borrowers");
    assertEquals(0, pool.stats().destroyed());
  }

  @Test
  void isolationIsReset() throws Exception {
    assertReset(
        new H2Fixture(),
        Connection::getTransactionIsolation,
        Connection::setTransactionIsolation,
        Connection.TRANSACTION_SERIALIZABLE);
  }

  @Test
  void schemaIsReset() throws Exception {
    H2Fixture db = new H2Fixture();
    db.exec("create schema other_schema");
    assertReset(db, Connection::getSchema, Connection::setSchema, "OTHER_SCHEMA");
  }

  @Test
  void holdabilityIsReset() throws Exception {
    assertReset(
        new H2Fixture(),
        Connection::getHoldability,
        Connection::setHoldability,
        java.sql.ResultSet.CLOSE_CURSORS_AT_COMMIT);
  }

  @Test
  void autoCommitAndItsLocalTransactionAreReset() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource pool = pool(db);
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      H2Fixture.insert(c, 1);
    }
    assertEquals(0, db.count(), "the local work left behind was rolled back");
    try (Connection c = pool.getConnection()) {
      assertEquals(true, c.getAutoCommit());
    }
    assertEquals(1, pool.stats().created());
  }
}
