package dev.xatm.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xatm.cdi.beans.Stores;
import dev.xatm.cdi.beans.Stores.Db;
import dev.xatm.cdi.beans.Transfers;
import dev.xatm.cdi.beans.TxScopedCounter;
import dev.xatm.cdi.beans.TxTypes;
import dev.xatm.testkit.SharedDatabases;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional.TxType;
import jakarta.transaction.TransactionalException;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * xatm-cdi on Weld SE against the real PostgreSQL and MariaDB through {@code jdbc:xa:}
 * XatmDataSources: what each TxType does to writes in both databases, rollbackOn/dontRollbackOn,
 * REQUIRES_NEW committing on its own while the outer rolls back, a timeout, the UserTransaction
 * refusal, and @TransactionScoped around real work. Every case uses rows of its own.
 */
class CdiDatabasesIT {
  private static WeldContainer cdi;
  private static UserTransaction ut;
  private static TransactionManager tm;
  private static Stores stores;
  private static Transfers transfers;
  private static TxTypes types;
  private static final AtomicInteger NEXT_ROW = new AtomicInteger();

  @BeforeAll
  static void boot() throws SQLException {
    Stores.prepare();
    cdi =
        Containers.boot(
            Stores.class,
            Transfers.class,
            Transfers.Inner.class,
            TxTypes.class,
            TxScopedCounter.class);
    ut = cdi.select(UserTransaction.class).get();
    tm = cdi.select(TransactionManager.class).get();
    stores = cdi.select(Stores.class).get();
    transfers = cdi.select(Transfers.class).get();
    types = cdi.select(TxTypes.class).get();
  }

  @AfterAll
  static void shutdown() throws SQLException {
    if (cdi != null) {
      cdi.close();
    }
    assertEquals(0, SharedDatabases.postgresPrepared(Stores.DATABASE), "prepared left in PG");
  }

  @AfterEach
  void noTransactionLeft() throws Exception {
    if (tm.getTransaction() != null) {
      tm.rollback();
      throw new AssertionError("a transaction was left on the thread");
    }
  }

  private static int row() {
    int id = NEXT_ROW.incrementAndGet();
    if (id > Stores.ROWS) {
      throw new IllegalStateException("more rows needed: raise Stores.ROWS");
    }
    return id;
  }

  /**
   * The method writes 1 to a row of each database; with an outer transaction the caller rolls the
   * outer back afterwards. What stays: the work of a transaction of its own (REQUIRES_NEW), or
   * autocommit work done outside any transaction (SUPPORTS/NOT_SUPPORTED/NEVER without one,
   * NOT_SUPPORTED inside one); joined work goes with the outer; MANDATORY without and NEVER with a
   * transaction refuse to run.
   */
  @ParameterizedTest(name = "{0} outer={1}")
  @CsvSource({
    "REQUIRED, false, 1, ",
    "REQUIRED, true, 0, ",
    "REQUIRES_NEW, false, 1, ",
    "REQUIRES_NEW, true, 1, ",
    "MANDATORY, false, 0, TransactionRequiredException",
    "MANDATORY, true, 0, ",
    "SUPPORTS, false, 1, ",
    "SUPPORTS, true, 0, ",
    "NOT_SUPPORTED, false, 1, ",
    "NOT_SUPPORTED, true, 1, ",
    "NEVER, false, 1, ",
    "NEVER, true, 0, InvalidTransactionException",
  })
  void eachTxTypeWithAndWithoutATransaction(
      TxType type, boolean outer, int expected, String refusal) throws Exception {
    int id = row();
    if (outer) {
      ut.begin();
    }
    try {
      if (refusal == null) {
        TxTypes.call(
            types,
            type,
            () -> {
              stores.setBoth(id, 1);
              return null;
            });
      } else {
        TransactionalException e =
            assertThrows(
                TransactionalException.class,
                () ->
                    TxTypes.call(
                        types,
                        type,
                        () -> {
                          stores.setBoth(id, 1);
                          return null;
                        }));
        assertEquals(refusal, e.getCause().getClass().getSimpleName());
      }
    } finally {
      if (outer) {
        ut.rollback();
      }
    }
    assertEquals(List.of(expected, expected), Stores.committed(id));
  }

  @Test
  void aRuntimeExceptionAfterBothWritesRollsBothBack() {
    int id = row();
    IllegalStateException thrown = new IllegalStateException("after both writes");
    assertSame(
        thrown,
        assertThrows(
            IllegalStateException.class, () -> transfers.writeBothThenThrow(id, 5, thrown)));
    assertEquals(List.of(0, 0), committedQuietly(id));
  }

  @Test
  void aCheckedExceptionAfterBothWritesCommitsBoth() {
    int id = row();
    assertThrows(IOException.class, () -> transfers.writeBothThenThrow(id, 5, new IOException()));
    assertEquals(List.of(5, 5), committedQuietly(id));
  }

  @Test
  void rollbackOnMakesACheckedExceptionRollBothBack() {
    int id = row();
    assertThrows(Transfers.Refused.class, () -> transfers.writeBothThenRefuse(id, 5));
    assertEquals(List.of(0, 0), committedQuietly(id));
  }

  @Test
  void dontRollbackOnMakesARuntimeExceptionCommitBoth() {
    int id = row();
    assertThrows(
        IllegalArgumentException.class, () -> transfers.writeBothThenIllegalArgument(id, 5));
    assertEquals(List.of(5, 5), committedQuietly(id));
  }

  @Test
  void requiresNewCommitsInBothDatabasesWhileTheOuterRollsBack() throws Exception {
    int outer = row();
    int inner = row();
    assertThrows(
        IllegalStateException.class,
        () -> transfers.outerWithInnerRequiresNewThenFail(outer, inner));
    assertEquals(List.of(0, 0), Stores.committed(outer), "the outer rolled back in both");
    assertEquals(List.of(2, 2), Stores.committed(inner), "the inner committed in both");
    assertEquals(0, SharedDatabases.postgresPrepared(Stores.DATABASE));
    assertEquals(0, SharedDatabases.mariadbPrepared("cdi-test"));
  }

  @Test
  void aTimeoutRollsBackFreesTheRowsAndTellsTheCaller() throws Exception {
    int id = row();
    // Warm both pools, so the writes finish well inside the timeout and the deadline passes
    // during the sleep (a JDBC call after it would get SQLTimeoutException instead).
    types.required(
        () -> {
          stores.setBoth(id, 0);
          return null;
        });
    tm.setTransactionTimeout(2);
    TransactionalException e;
    try {
      e = assertThrows(TransactionalException.class, () -> transfers.writeThenOverstay(id, 3500));
    } finally {
      tm.setTransactionTimeout(0);
    }
    assertInstanceOf(RollbackException.class, e.getCause(), e.toString());
    assertEquals(List.of(0, 0), Stores.committed(id));
    for (Db db : Db.values()) { // a plain session can take the row lock at once
      try (Connection c = Stores.plain(db);
          Statement s = c.createStatement()) {
        s.execute(
            db == Db.POSTGRESQL ? "set lock_timeout = '2s'" : "set innodb_lock_wait_timeout = 2");
        c.setAutoCommit(false);
        assertEquals(1, s.executeUpdate("update " + Stores.TABLE + " set v = 9 where id = " + id));
        c.rollback();
      }
    }
    assertNull(tm.getTransaction());
  }

  @Test
  void userTransactionInsideRequiredIsRefusedAndTheWorkRollsBack() {
    int id = row();
    assertThrows(
        IllegalStateException.class,
        () ->
            types.required(
                () -> {
                  stores.setBoth(id, 3);
                  ut.commit(); // the application tries to commit the interceptor's transaction
                  return null;
                }));
    assertEquals(List.of(0, 0), committedQuietly(id));
  }

  @Test
  void aTransactionScopedBeanLivesAsLongAsTheTwoPhaseCommitOfItsTransaction() throws Exception {
    TxScopedCounter.DESTROYED.clear();
    TxScopedCounter bean = cdi.select(TxScopedCounter.class).get();
    int id = row();
    int[] beanId = new int[1];
    types.required(
        () -> {
          beanId[0] = bean.id();
          stores.set(Db.POSTGRESQL, id, bean.increment());
          stores.set(Db.MARIADB, id, bean.increment());
          return null;
        });
    assertEquals(List.of(1, 2), Stores.committed(id));
    assertEquals(List.of(beanId[0]), TxScopedCounter.DESTROYED);
  }

  private static List<Integer> committedQuietly(int id) {
    try {
      return Stores.committed(id);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
