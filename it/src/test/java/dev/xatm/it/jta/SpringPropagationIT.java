package dev.xatm.it.jta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.NestedTransactionNotSupportedException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.jta.JtaTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring's propagation modes on xatm over real PostgreSQL and MariaDB through {@code jdbc:xa:}
 * DataSources: {@code REQUIRES_NEW} and {@code NOT_SUPPORTED} suspend the outer transaction, which
 * must commit with all its work afterwards; {@code NESTED} is refused clearly (JTA has no
 * savepoints across branches); a transaction timeout set on a {@link TransactionTemplate} (what
 * {@code @Transactional(timeout = ...)} sets too) frees the database at its deadline, as plain
 * sessions waiting for the rows see while the template is still inside a 60 s statement, and
 * surfaces as Spring's {@link QueryTimeoutException}.
 */
class SpringPropagationIT {
  private static final int TIMEOUT_S = 2;
  private static final Duration REAPER_INTERVAL = Duration.ofMillis(200);
  // The bound of it/TimeoutReleaseIT: deadline + 2 reaper intervals + round trips on a loaded CI.
  private static final long FREED_WITHIN_MS =
      TIMEOUT_S * 1000L + 2 * REAPER_INTERVAL.toMillis() + 1_500;

  @TempDir static Path dir;
  private static XatmTransactionManager tm;
  private static JtaTransactionManager spring;
  private static XatmDataSource pgPool;
  private static XatmDataSource mariaPool;
  private static JdbcTemplate pg;
  private static JdbcTemplate maria;
  private final String table = "p" + Long.toHexString(System.nanoTime());

  @BeforeAll
  static void start() throws Exception {
    tm = Db.prepare(dir, "spring-prop-it", REAPER_INTERVAL);
    spring = new JtaTransactionManager(tm, tm);
    spring.setTransactionSynchronizationRegistry(tm);
    spring.afterPropertiesSet();
    pgPool = Db.POSTGRESQL.pool(tm, 4);
    mariaPool = Db.MARIADB.pool(tm, 4);
    pg = new JdbcTemplate(pgPool);
    maria = new JdbcTemplate(mariaPool);
  }

  @AfterAll
  static void stop() throws Exception {
    pgPool.close();
    mariaPool.close();
    tm.close();
  }

  @BeforeEach
  void tables() throws Exception {
    Db.POSTGRESQL.resetTable(table, 3);
    Db.MARIADB.resetTable(table, 3);
  }

  @AfterEach
  void clean() throws Exception {
    assertEquals(
        0,
        Db.POSTGRESQL.preparedLeft(tm.nodeId()) + Db.MARIADB.preparedLeft(tm.nodeId()),
        "prepared left");
    assertEquals(0, pgPool.stats().active(), pgPool.stats().toString());
    assertEquals(0, mariaPool.stats().active(), mariaPool.stats().toString());
  }

  private TransactionTemplate tx(int propagation) {
    TransactionTemplate t = new TransactionTemplate(spring);
    t.setPropagationBehavior(propagation);
    return t;
  }

  private void set(JdbcTemplate db, int id, int v) {
    assertEquals(1, db.update("update " + table + " set v = ? where id = ?", v, id));
  }

  @Test
  void requiresNewCommitsOnItsOwnAndTheOuterCommitsAllItsWork() throws Exception {
    tx(TransactionDefinition.PROPAGATION_REQUIRED)
        .executeWithoutResult(
            outer -> {
              set(pg, 1, 1);
              set(maria, 1, 1);
              tx(TransactionDefinition.PROPAGATION_REQUIRES_NEW)
                  .executeWithoutResult(
                      inner -> {
                        set(pg, 2, 2);
                        set(maria, 2, 2);
                      });
              set(pg, 3, 3); // the outer goes on after resume
            });
    assertEquals(List.of(1, 2, 3), Db.POSTGRESQL.values(table));
    assertEquals(List.of(1, 2, 0), Db.MARIADB.values(table));
  }

  @Test
  void requiresNewThatFailsRollsBackAloneAndTheOuterCommits() throws Exception {
    tx(TransactionDefinition.PROPAGATION_REQUIRED)
        .executeWithoutResult(
            outer -> {
              set(pg, 1, 5);
              try {
                tx(TransactionDefinition.PROPAGATION_REQUIRES_NEW)
                    .executeWithoutResult(
                        inner -> {
                          set(maria, 2, 6);
                          set(pg, 2, 6);
                          throw new IllegalStateException("inner fails after both writes");
                        });
              } catch (IllegalStateException expected) {
                // the inner rolled back; the outer carries on
              }
              set(maria, 1, 5);
            });
    assertEquals(List.of(5, 0, 0), Db.POSTGRESQL.values(table));
    assertEquals(List.of(5, 0, 0), Db.MARIADB.values(table));
  }

  @Test
  void outerRollbackKeepsWhatRequiresNewAndNotSupportedCommitted() throws Exception {
    assertThrows(
        IllegalStateException.class,
        () ->
            tx(TransactionDefinition.PROPAGATION_REQUIRED)
                .executeWithoutResult(
                    outer -> {
                      set(pg, 1, 7);
                      tx(TransactionDefinition.PROPAGATION_REQUIRES_NEW)
                          .executeWithoutResult(inner -> set(maria, 1, 7));
                      tx(TransactionDefinition.PROPAGATION_NOT_SUPPORTED)
                          .executeWithoutResult(none -> set(pg, 2, 8)); // autocommit
                      set(maria, 2, 7);
                      throw new IllegalStateException("the outer fails");
                    }));
    assertEquals(List.of(0, 8, 0), Db.POSTGRESQL.values(table));
    assertEquals(List.of(7, 0, 0), Db.MARIADB.values(table));
  }

  @Test
  void nestedIsRefusedClearly() throws Exception {
    NestedTransactionNotSupportedException e =
        assertThrows(
            NestedTransactionNotSupportedException.class,
            () ->
                tx(TransactionDefinition.PROPAGATION_REQUIRED)
                    .executeWithoutResult(
                        outer -> {
                          set(pg, 1, 9);
                          tx(TransactionDefinition.PROPAGATION_NESTED)
                              .executeWithoutResult(inner -> set(pg, 2, 9));
                        }));
    assertTrue(e.getMessage().toLowerCase().contains("nested"), e.getMessage());
    assertEquals(List.of(0, 0, 0), Db.POSTGRESQL.values(table), "the outer rolled back");
  }

  /** Updates row 1 from a plain session that waits at most 20 s; returns ms since {@code t0}. */
  private long probe(Db db, long t0) throws Exception {
    try (Connection c = db.plain();
        Statement s = c.createStatement()) {
      s.execute(db.lockWait(20));
      Db.set(c, table, 1, 99);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void timeoutCancelsTheStatementFreesTheRowsAndCommitsNothing() throws Exception {
    TransactionTemplate t = tx(TransactionDefinition.PROPAGATION_REQUIRED);
    t.setTimeout(TIMEOUT_S);
    ExecutorService probes = Executors.newFixedThreadPool(2);
    List<Future<Long>> freed = new ArrayList<>();
    long begin = System.nanoTime();
    try {
      QueryTimeoutException e =
          assertThrows(
              QueryTimeoutException.class,
              () ->
                  t.executeWithoutResult(
                      status -> {
                        set(pg, 1, 10);
                        set(maria, 1, 10);
                        // Two other sessions queue for the rows while this one sleeps: only the
                        // timeout can give them the rows before their 20 s lock timeout.
                        for (Db db : List.of(Db.POSTGRESQL, Db.MARIADB)) {
                          freed.add(probes.submit(() -> probe(db, begin)));
                        }
                        pg.execute(Db.POSTGRESQL.sleep(60));
                      }));
      long ms = (System.nanoTime() - begin) / 1_000_000;
      assertInstanceOf(SQLTimeoutException.class, e.getCause(), e.toString());
      assertTrue(ms < FREED_WITHIN_MS, "the statement ran " + ms + " ms past a 2 s timeout");
      for (Future<Long> f : freed) {
        long freedMs = f.get(30, TimeUnit.SECONDS);
        System.out.printf(
            "SpringPropagationIT timeout: a row freed at deadline + %d ms (bound + %d ms)%n",
            freedMs - TIMEOUT_S * 1000L, FREED_WITHIN_MS - TIMEOUT_S * 1000L);
        assertTrue(
            freedMs < FREED_WITHIN_MS,
            "a row was kept " + freedMs + " ms, bound " + FREED_WITHIN_MS + " ms");
      }
    } finally {
      probes.shutdownNow();
    }
    // Nothing of the template committed; the probes' updates did.
    assertEquals(List.of(99, 0, 0), Db.POSTGRESQL.values(table));
    assertEquals(List.of(99, 0, 0), Db.MARIADB.values(table));
  }
}
