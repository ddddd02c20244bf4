package dev.xatm.jdbc;

import static dev.xatm.jdbc.H2Fixture.insert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.testing.FakeTransactionManager;
import jakarta.transaction.Transaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Suspend and resume inside the driver, on H2, through the built-in H2 vendor and through {@code
 * xaDataSourceClass=org.h2.jdbcx.JdbcDataSource} (docs/jdbc-driver.md, "Suspend and resume": this
 * holds for H2 and {@code xaDataSourceClass} vendors too). The fake TM sends {@code end(TMSUSPEND)}
 * and {@code start(TMRESUME)} as xatm's does; the driver keeps the branch on its connection and
 * routes the thread's work elsewhere meanwhile. The real-database versions are {@code
 * it/SuspendResumeIT}.
 */
class SuspendTest {
  /** How the pool reaches H2. */
  enum Route {
    BUILT_IN(""),
    XA_DATA_SOURCE_CLASS(";xaDataSourceClass=org.h2.jdbcx.JdbcDataSource");

    final String urlSuffix;

    Route(String urlSuffix) {
      this.urlSuffix = urlSuffix;
    }
  }

  private final FakeTransactionManager tm = new FakeTransactionManager();
  private final List<XatmDataSource> toClose = new ArrayList<>();

  @AfterEach
  void closePools() {
    toClose.forEach(XatmDataSource::close);
  }

  private XatmDataSource pool(H2Fixture db, Route route, int maxPoolSize) throws SQLException {
    XatmDataSource ds =
        db.pool(tm).url(db.xaUrl + route.urlSuffix).maxPoolSize(maxPoolSize).build();
    toClose.add(ds);
    return ds;
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void innerTransactionCommitsOnItsOwnAndTheOuterCommitsAllItsWork(Route route) throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db, route, 4);
    tm.begin();
    Connection c = ds.getConnection();
    insert(c, 1);
    Transaction outer = tm.suspend();
    tm.begin(); // REQUIRES_NEW: the same handle now works in the inner transaction
    insert(c, 2);
    assertEquals(2, ds.stats().active(), "the inner branch has a connection of its own");
    tm.commit();
    assertEquals(1, db.count(), "the inner committed alone");
    tm.resume(outer);
    insert(c, 3);
    c.close();
    tm.commit();
    assertEquals(3, db.count());
    assertEquals(
        List.of("start", "suspend", "start", "end", "commit1", "resume", "end", "commit1"),
        tm.calls());
    assertEquals(0, ds.openBranches());
    assertEquals(0, ds.stats().active());
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void autocommitWorkWhileSuspendedPersistsWhenTheOuterRollsBack(Route route) throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db, route, 4);
    tm.begin();
    try (Connection c = ds.getConnection()) {
      insert(c, 1);
      Transaction outer = tm.suspend();
      insert(c, 2); // NOT_SUPPORTED: no transaction, autocommit on another connection
      assertEquals(1, db.count(), "committed on its own");
      tm.resume(outer);
      insert(c, 3);
    }
    tm.rollback();
    assertEquals(1, db.count(), "only the autocommit row is left");
    assertEquals(0, ds.openBranches());
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void aStatementOfTheSuspendedTransactionRefusesWorkUntilResume(Route route) throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db, route, 4);
    tm.begin();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("insert into item values (1, 'outer')");
      Transaction outer = tm.suspend();
      SQLException e =
          assertThrows(
              SQLException.class, () -> s.executeUpdate("insert into item values (2, 'slip')"));
      assertEquals("25000", e.getSQLState());
      assertTrue(e.getMessage().contains("suspended"), e.getMessage());
      assertEquals("25000", assertThrows(SQLException.class, s::isClosed).getSQLState());
      // What the wrapper answers itself (docs/jdbc-driver.md): no call reaches the branch.
      assertSame(c, s.getConnection());
      assertSame(s, s.unwrap(Statement.class));
      assertTrue(s.isWrapperFor(Statement.class));
      tm.resume(outer);
      assertFalse(s.isClosed());
      s.executeUpdate("insert into item values (3, 'outer')");
    }
    tm.commit();
    assertEquals(2, db.count());
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void poolOfOneFailsTheWorkDoneWhileSuspendedAtOnce(Route route) throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db, route, 1);
    tm.begin();
    Connection c = ds.getConnection();
    insert(c, 1);
    Transaction outer = tm.suspend();
    for (boolean inner : new boolean[] {true, false}) { // REQUIRES_NEW, then NOT_SUPPORTED
      if (inner) {
        tm.begin();
      }
      long start = System.nanoTime();
      SQLException e = assertThrows(SQLException.class, () -> insert(c, 2));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(e instanceof SQLNonTransientConnectionException, e.toString());
      assertEquals("08001", e.getSQLState());
      assertTrue(e.getMessage().contains("suspended"), e.getMessage());
      assertTrue(ms < 5_000, "failed at once, not after the acquire timeout: " + ms + " ms");
      if (inner) {
        tm.rollback();
      }
    }
    tm.resume(outer);
    insert(c, 3);
    c.close();
    tm.commit();
    assertEquals(2, db.count(), "the suspended transaction was not harmed");
  }
}
