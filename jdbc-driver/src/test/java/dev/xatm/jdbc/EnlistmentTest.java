package dev.xatm.jdbc;

import static dev.xatm.jdbc.H2Fixture.insert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.testing.FakeTransactionManager;
import dev.xatm.jdbc.testing.FakeTransactionManager.FakeTransaction;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

public class EnlistmentTest {
  private final FakeTransactionManager tm = new FakeTransactionManager();
  private final List<XatmDataSource> toClose = new java.util.ArrayList<>();

  @AfterEach
  void closePools() {
    toClose.forEach(XatmDataSource::close);
  }

  private XatmDataSource pool(H2Fixture db) throws SQLException {
    XatmDataSource ds = db.pool(tm).build();
    toClose.add(ds);
    return ds;
  }

  @Test
  void connectionsOfOneTransactionShareOneBranchAndReturnAfterCompletion() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db);
    tm.begin();
    FakeTransaction tx = tm.getTransaction();
    try (Connection c1 = ds.getConnection()) {
      insert(c1, 1);
    }
    try (Connection c2 = ds.getConnection();
        Statement s = c2.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from item")) {
      rs.next();
      assertEquals(1, rs.getInt(1), "the second connection sees the first one's uncommitted row");
    }
    assertEquals(1, tx.resources().size(), "one XA branch for the resource");
    assertEquals(1, ds.stats().active(), "closed connections stay with the transaction");
    assertEquals(1, ds.openBranches());
    assertEquals(0, db.count(), "nothing visible before commit");
    tm.commit();
    assertEquals(List.of("start", "end", "commit1"), tm.calls(), "one resource: one-phase commit");
    assertEquals(0, ds.stats().active());
    assertEquals(1, ds.stats().idle());
    assertEquals(0, ds.openBranches());
    assertEquals(1, db.count());
  }

  @Test
  void twoResourcesCommitInTwoPhases() throws Exception {
    H2Fixture a = new H2Fixture();
    H2Fixture b = new H2Fixture();
    XatmDataSource da = pool(a);
    XatmDataSource db = pool(b);
    tm.begin();
    try (Connection ca = da.getConnection();
        Connection cb = db.getConnection()) {
      insert(ca, 1);
      insert(cb, 2);
    }
    tm.commit();
    assertEquals(
        List.of("start", "start", "end", "end", "prepare", "prepare", "commit2", "commit2"),
        tm.calls());
    assertEquals(1, a.count());
    assertEquals(1, b.count());
    assertEquals(0, a.inDoubt() + b.inDoubt());
    assertEquals(0, da.stats().active() + db.stats().active());
  }

  @Test
  void rollbackDiscardsWorkOnEveryResource() throws Exception {
    H2Fixture a = new H2Fixture();
    H2Fixture b = new H2Fixture();
    XatmDataSource da = pool(a);
    XatmDataSource db = pool(b);
    tm.begin();
    try (Connection ca = da.getConnection();
        Connection cb = db.getConnection()) {
      insert(ca, 1);
      insert(cb, 2);
    }
    tm.rollback();
    assertEquals(0, a.count() + b.count());
    assertEquals(0, da.stats().active() + db.stats().active());
    assertEquals(1, da.stats().idle(), "a cleanly rolled back connection is reused");
  }

  @Test
  void connectionStaysSafeWhenTheTmForgetsToEndTheBranch() throws Exception {
    tm.skipEnd = true;
    H2Fixture a = new H2Fixture();
    H2Fixture b = new H2Fixture();
    XatmDataSource da = pool(a);
    XatmDataSource db = pool(b);
    tm.begin();
    try (Connection ca = da.getConnection();
        Connection cb = db.getConnection()) {
      insert(ca, 1);
      insert(cb, 2);
    }
    tm.commit();
    assertEquals(1, a.count());
    assertEquals(1, b.count());
  }

  @Test
  void demarcationIsForbiddenWhileEnlisted() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db);
    tm.begin();
    try (Connection c = ds.getConnection()) {
      insert(c, 1);
      Map<String, SqlRunnable> forbidden =
          Map.of(
              "commit", c::commit,
              "rollback", c::rollback,
              "setAutoCommit(true)", () -> c.setAutoCommit(true),
              "setSavepoint", c::setSavepoint,
              "setSavepoint(name)", () -> c.setSavepoint("s"),
              "rollback(sp)", () -> c.rollback(null),
              "releaseSavepoint", () -> c.releaseSavepoint(null));
      forbidden.forEach(
          (name, call) -> {
            SQLException e = assertThrows(SQLException.class, call::run, name);
            assertEquals("25000", e.getSQLState(), name);
            assertTrue(e.getMessage().contains("JTA transaction"), e.getMessage());
          });
      c.setAutoCommit(false); // allowed: it is already in a global transaction
      assertFalse(c.getAutoCommit());
    }
    tm.commit();
    assertEquals(1, db.count(), "the forbidden calls changed nothing");
  }

  interface SqlRunnable {
    void run() throws SQLException;
  }

  @Test
  void outsideATransactionItIsAPlainAutoCommitConnection() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db);
    try (Connection c = ds.getConnection()) {
      assertTrue(c.getAutoCommit());
      insert(c, 1);
      assertEquals(1, db.count(), "visible at once");
      c.setAutoCommit(false);
      insert(c, 2);
      c.rollback();
      insert(c, 3);
      c.commit();
    }
    assertEquals(2, db.count());
    assertTrue(tm.calls().isEmpty(), "no XA without a transaction");
    try (Connection c = ds.getConnection()) {
      assertTrue(c.getAutoCommit(), "the pool reset autoCommit");
    }
  }

  @Test
  void leftOverLocalTransactionIsRolledBackOnReturn() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      insert(c, 1);
    }
    assertEquals(0, db.count());
  }

  @Test
  void wrappersNeverExposeThePhysicalConnection() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        PreparedStatement ps = c.prepareStatement("select id from item where id = ?");
        CallableStatement cs = c.prepareCall("call 1")) {
      assertSame(c, s.getConnection());
      assertSame(c, ps.getConnection());
      assertSame(c, cs.getConnection());
      DatabaseMetaData md = c.getMetaData();
      assertSame(c, md.getConnection());
      try (ResultSet rs = s.executeQuery("select 1")) {
        assertSame(s, rs.getStatement());
      }
      ps.setInt(1, 1);
      try (ResultSet rs = ps.executeQuery()) {
        assertSame(ps, rs.getStatement());
        assertFalse(rs.next());
      }
      assertSame(c, c.unwrap(Connection.class));
    }
  }

  @Test
  void statementOfACompletedTransactionCannotRunAgain() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db);
    tm.begin();
    Connection c = ds.getConnection();
    Statement s = c.createStatement();
    s.executeUpdate("insert into item values (1, 'a')");
    tm.commit();
    // The physical connection is back in the pool; another borrower may hold it now.
    try (Connection other = ds.getConnection()) {
      insert(other, 2);
    }
    assertThrows(SQLException.class, () -> s.executeUpdate("insert into item values (3, 'c')"));
    assertTrue(s.isClosed());
    c.close();
    assertEquals(2, db.count());
  }

  @Test
  void connectionTakenBeforeBeginJoinsTheTransaction() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db);
    try (Connection c = ds.getConnection()) {
      insert(c, 1);
      tm.begin();
      insert(c, 2);
      assertFalse(c.getAutoCommit());
      tm.rollback();
      insert(c, 3);
      assertTrue(c.getAutoCommit());
    }
    assertEquals(2, db.count(), "row 2 was rolled back with the transaction");
    assertEquals(0, ds.stats().active());
    assertEquals(1, ds.stats().total(), "the same physical connection served all of it");
  }

  @Test
  void openLocalTransactionRefusesToJoin() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      insert(c, 1);
      tm.begin();
      SQLException e = assertThrows(SQLException.class, c::createStatement);
      assertEquals("25000", e.getSQLState());
      tm.rollback();
      c.rollback();
    }
  }

  @Test
  void rollbackOnlyTransactionRefusesNewWork() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = pool(db);
    tm.begin();
    tm.setRollbackOnly();
    SQLException e = assertThrows(SQLException.class, ds::getConnection);
    assertEquals("25000", e.getSQLState());
    assertTrue(e.getMessage().contains("rollback-only"), e.getMessage());
    tm.rollback();
    assertEquals(0, ds.stats().total(), "nothing was borrowed");
  }

  // --- timeout rollback from another thread while a statement runs --------------------------

  static volatile CountDownLatch entered;
  static volatile CountDownLatch release;

  /** Called by H2 as SQL function BLOCK(): parks the statement until the test releases it. */
  public static int block() throws InterruptedException {
    entered.countDown();
    if (!release.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("test did not release the blocked statement");
    }
    return 1;
  }

  @Test
  void timeoutRollbackDuringAStatementLeavesACleanPool() throws Exception {
    H2Fixture db = new H2Fixture();
    db.exec("create alias block for 'dev.xatm.jdbc.EnlistmentTest.block'");
    XatmDataSource ds = pool(db);
    entered = new CountDownLatch(1);
    release = new CountDownLatch(1);
    CountDownLatch txReady = new CountDownLatch(1);
    FakeTransaction[] tx = new FakeTransaction[1];
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<Throwable> app =
          threads.submit(
              () -> {
                tm.begin();
                tx[0] = tm.getTransaction();
                txReady.countDown();
                Throwable seen = null;
                try (Connection c = ds.getConnection()) {
                  insert(c, 1);
                  try (Statement s = c.createStatement()) {
                    s.executeQuery("select block()").close();
                  } catch (SQLException e) {
                    seen = e;
                    if (entered.getCount() > 0) {
                      throw new AssertionError("the blocking statement failed to start", e);
                    }
                  }
                  // After the timeout the connection refuses more work in the dead transaction.
                  SQLException after = assertThrows(SQLException.class, c::createStatement);
                  assertEquals("HYT00", after.getSQLState(), after.toString());
                } finally {
                  tm.rollback(); // the application's own rollback finds it already rolled back
                }
                return seen;
              });
      assertTrue(txReady.await(10, TimeUnit.SECONDS));
      while (!entered.await(10, TimeUnit.MILLISECONDS)) {
        if (app.isDone()) {
          app.get(); // surfaces why the statement never started
          throw new AssertionError("statement never started; app returned " + app.get());
        }
      }
      // The statement is released only once the reaper has fenced the connection: the owner
      // must never get one more call into a transaction the reaper is rolling back.
      Future<?> reaper = threads.submit(() -> tx[0].expire(release::countDown));
      reaper.get(10, TimeUnit.SECONDS);
      app.get(10, TimeUnit.SECONDS);
    } finally {
      release.countDown();
      threads.shutdownNow();
    }
    assertEquals(0, db.count(), "the timed-out transaction's row was rolled back");
    assertEquals(0, db.inDoubt(), "no XA branch left behind");
    assertEquals(0, ds.stats().active(), "the connection went back to the pool or was closed");
    assertEquals(0, ds.openBranches());
    tm.begin();
    try (Connection c = ds.getConnection()) {
      insert(c, 2);
    }
    tm.commit();
    assertEquals(1, db.count(), "the pool still works");
  }
}
