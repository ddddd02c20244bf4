package dev.xatm.it.jta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code TransactionManager.suspend}/{@code resume} with the real drivers, which cannot TMSUSPEND
 * (pgjdbc answers XAER_RMERR, MariaDB Connector/J XAER_INVAL): the suspended transaction keeps its
 * branch on its physical connection while the thread's other work gets other connections, and
 * commits with all its work after resume (DESIGN §10).
 */
class SuspendResumeIT {
  @TempDir static Path dir;
  private static XatmTransactionManager tm;
  private final List<XatmDataSource> pools = new ArrayList<>();
  private final String table = "s" + Long.toHexString(System.nanoTime());

  @BeforeAll
  static void start() throws Exception {
    tm = Db.prepare(dir, "suspend-it", Duration.ofMillis(100));
  }

  @AfterAll
  static void stop() throws Exception {
    tm.close();
  }

  @AfterEach
  void closePools() throws Exception {
    if (tm.getTransaction() != null) { // a failed case must not leave its transaction on the thread
      tm.rollback();
    }
    tm.setTransactionTimeout(0);
    pools.forEach(XatmDataSource::close);
  }

  private XatmDataSource pool(Db db, int size) throws SQLException {
    db.resetTable(table, 3);
    XatmDataSource ds = db.pool(tm, size);
    pools.add(ds);
    return ds;
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void outerCommitsAllItsWorkAfterAnInnerTransactionCommits(Db db) throws Exception {
    XatmDataSource ds = pool(db, 4);
    tm.begin();
    try (Connection c = ds.getConnection()) {
      Db.set(c, table, 1, 10);
      Transaction outer = tm.suspend();
      assertEquals(Status.STATUS_ACTIVE, outer.getStatus(), "suspend must not harm the outer");
      tm.begin(); // REQUIRES_NEW
      try (Connection inner = ds.getConnection()) {
        Db.set(inner, table, 2, 20);
      }
      tm.commit();
      tm.resume(outer);
      Db.set(c, table, 3, 30); // the same handle continues the outer branch
    }
    tm.commit();
    assertEquals(List.of(10, 20, 30), db.values(table));
    assertEquals(0, db.preparedLeft(tm.nodeId()));
    assertEquals(0, ds.stats().active(), ds.stats().toString());
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void innerRollsBackAloneAndOuterCommits(Db db) throws Exception {
    XatmDataSource ds = pool(db, 4);
    tm.begin();
    try (Connection c = ds.getConnection()) {
      Db.set(c, table, 1, 11);
    }
    Transaction outer = tm.suspend();
    tm.begin();
    try (Connection inner = ds.getConnection()) {
      Db.set(inner, table, 2, 21);
    }
    tm.rollback();
    tm.resume(outer);
    tm.commit();
    assertEquals(List.of(11, 0, 0), db.values(table));
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void autocommitWorkWhileSuspendedPersistsWhenTheOuterRollsBack(Db db) throws Exception {
    XatmDataSource ds = pool(db, 4);
    tm.begin();
    try (Connection c = ds.getConnection()) {
      Db.set(c, table, 1, 12);
      Transaction outer = tm.suspend(); // NOT_SUPPORTED
      Db.set(c, table, 2, 22); // no transaction: autocommit on another physical connection
      tm.resume(outer);
      Db.set(c, table, 3, 32);
    }
    tm.rollback();
    assertEquals(List.of(0, 22, 0), db.values(table));
    assertEquals(0, ds.stats().active(), ds.stats().toString());
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void aStatementOfTheSuspendedTransactionRefusesWorkUntilResume(Db db) throws Exception {
    XatmDataSource ds = pool(db, 4);
    tm.begin();
    try (Connection c = ds.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement("update " + table + " set v = ? where id = ?")) {
      ps.setInt(1, 16);
      ps.setInt(2, 1);
      ps.executeUpdate();
      Transaction outer = tm.suspend();
      tm.begin();
      SQLException e = assertThrows(SQLException.class, ps::executeUpdate);
      assertEquals("25000", e.getSQLState());
      assertTrue(e.getMessage().contains("suspended"), e.getMessage());
      tm.commit();
      tm.resume(outer);
      ps.setInt(2, 3);
      assertEquals(1, ps.executeUpdate());
    }
    tm.commit();
    assertEquals(List.of(16, 0, 16), db.values(table));
  }

  @Test
  void suspendWithTwoDatabasesAndNestedSuspends() throws Exception {
    XatmDataSource pg = pool(Db.POSTGRESQL, 4);
    XatmDataSource maria = pool(Db.MARIADB, 4);
    tm.begin();
    try (Connection a = pg.getConnection();
        Connection b = maria.getConnection()) {
      Db.set(a, table, 1, 1);
      Db.set(b, table, 1, 1);
      Transaction first = tm.suspend();
      tm.begin();
      Db.set(a, table, 2, 2);
      Db.set(b, table, 2, 2);
      Transaction second = tm.suspend();
      tm.begin();
      Db.set(a, table, 3, 3);
      tm.rollback();
      tm.resume(second);
      tm.commit();
      tm.resume(first);
      Db.set(b, table, 3, 4);
    }
    tm.commit();
    assertEquals(List.of(1, 2, 0), Db.POSTGRESQL.values(table));
    assertEquals(List.of(1, 2, 4), Db.MARIADB.values(table));
    assertEquals(0, Db.POSTGRESQL.preparedLeft(tm.nodeId()) + Db.MARIADB.preparedLeft(tm.nodeId()));
  }

  @ParameterizedTest
  @EnumSource(
      value = Db.class,
      names = {"POSTGRESQL", "MARIADB"})
  void resumeOnAnotherThreadContinuesTheSameBranch(Db db) throws Exception {
    XatmDataSource ds = pool(db, 4);
    XatmDataSource other = pool(db == Db.POSTGRESQL ? Db.MARIADB : Db.POSTGRESQL, 4);
    tm.begin();
    Connection c = ds.getConnection();
    Db.set(c, table, 1, 13);
    try (Connection o = other.getConnection()) {
      Db.set(o, table, 1, 13);
    }
    Transaction outer = tm.suspend();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      thread
          .submit(
              () -> {
                tm.resume(outer);
                Db.set(c, table, 2, 23);
                c.close();
                tm.commit();
                return null;
              })
          .get(30, TimeUnit.SECONDS);
    } finally {
      thread.shutdownNow();
    }
    assertEquals(List.of(13, 23, 0), db.values(table));
    assertEquals(0, db.preparedLeft(tm.nodeId()));
  }

  @ParameterizedTest
  @EnumSource(
      value = Db.class,
      names = {"POSTGRESQL", "MARIADB"})
  void poolOfOneFailsTheInnerWorkAtOnceWithAClearErrorAndTheOuterStillCommits(Db db)
      throws Exception {
    XatmDataSource ds = pool(db, 1);
    tm.begin();
    try (Connection c = ds.getConnection()) {
      Db.set(c, table, 1, 14);
    }
    Transaction outer = tm.suspend();
    for (boolean requiresNew : new boolean[] {true, false}) { // then NOT_SUPPORTED: no transaction
      if (requiresNew) {
        tm.begin();
      }
      long t0 = System.nanoTime();
      // Without a transaction getConnection binds a connection at once, so it fails there.
      SQLException e =
          assertThrows(
              SQLException.class,
              () -> {
                try (Connection inner = ds.getConnection()) {
                  Db.set(inner, table, 2, 24);
                }
              });
      long waitedMs = (System.nanoTime() - t0) / 1_000_000;
      String mode = requiresNew ? "REQUIRES_NEW: " : "NOT_SUPPORTED: ";
      assertTrue(e instanceof SQLNonTransientConnectionException, mode + e);
      assertEquals("08001", e.getSQLState(), mode + e);
      assertTrue(
          e.getMessage().contains("suspended") && e.getMessage().contains("xatm.pool.max-size"),
          mode + e.getMessage());
      assertTrue(waitedMs < 5_000, mode + "failed fast, not at the acquire timeout: " + waitedMs);
      if (requiresNew) {
        tm.rollback();
      }
    }
    tm.resume(outer);
    tm.commit();
    assertEquals(List.of(14, 0, 0), db.values(table));
  }

  @ParameterizedTest
  @EnumSource(
      value = Db.class,
      names = {"POSTGRESQL", "MARIADB"})
  void aSuspendedTransactionThatTimesOutIsRolledBackAndFreesItsRows(Db db) throws Exception {
    XatmDataSource ds = pool(db, 4);
    tm.setTransactionTimeout(1);
    tm.begin();
    try (Connection c = ds.getConnection()) {
      Db.set(c, table, 1, 15);
    }
    Transaction outer = tm.suspend();
    tm.setTransactionTimeout(0);
    // Another session can update the row once the reaper rolled the suspended branch back.
    try (Connection probe = db.plain()) {
      probe.createStatement().execute(db.lockWait(20));
      long t0 = System.nanoTime();
      Db.set(probe, table, 1, 99);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 10_000, "the row was freed by the reaper, not by the lock timeout: " + ms);
    }
    tm.resume(outer);
    assertEquals(Status.STATUS_ROLLEDBACK, tm.getStatus());
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertEquals(List.of(99, 0, 0), db.values(table));
    assertEquals(0, db.preparedLeft(tm.nodeId()));
  }
}
