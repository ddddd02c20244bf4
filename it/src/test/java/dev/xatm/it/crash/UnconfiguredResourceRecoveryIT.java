package dev.xatm.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.support.PostgresServer;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 §1 on real PostgreSQL: nothing is configured for recovery; the databases are known to
 * the TM only because its pools used them (ResourceRegistered, credentials offered by the pools).
 * The PostgreSQL session of a decided transaction is killed after Committing is durable, and the
 * background retry is parked (one-hour back-off), so only a periodic recovery pass can finish the
 * branch: it must, within a few passes, not at the next restart.
 */
class UnconfiguredResourceRecoveryIT {

  @Test
  void aDecidedBranchWhoseConnectionDiedIsCommittedByTheNextPeriodicPass() throws Exception {
    Bank bank = Bank.on(Bank.Pair.PG_MARIADB, PostgresServer.shared(), "xatm_unconf").recreate();
    bank.reset();
    String node = "rcvunconf";
    Path log = Files.createTempDirectory("xatm-unconf");
    XatmConfig config =
        XatmConfig.builder()
            .nodeId(node)
            .logDir(log)
            .segmentSize(CrashLog.SEGMENT_SIZE)
            .retryInitialBackoff(Duration.ofHours(1))
            .retryMaxBackoff(Duration.ofHours(1))
            .installAsDefault(false)
            .jmxEnabled(false)
            .recovery("xatm.recovery.interval", "1s")
            .build();
    AtomicReference<Integer> pgPid = new AtomicReference<>();
    AtomicReference<String> killed = new AtomicReference<>();
    Failpoints fp = new Failpoints();
    fp.arm(
        Failpoint.AFTER_COMMITTING_DURABLE,
        Failpoints.onHit(
            1,
            (p, g, b) -> {
              try (Connection c = DriverManager.getConnection(bank.a().adminUrl());
                  Statement s = c.createStatement()) {
                s.execute("select pg_terminate_backend(" + pgPid.get() + ", 10000)");
                killed.set("killed at " + p);
              } catch (SQLException e) {
                killed.set("failed: " + e);
              }
            }));
    try (XatmTransactionManager tm = XatmTransactionManager.builder(config).failpoints(fp).start();
        XatmDataSource dsA = pool(tm, bank.a());
        XatmDataSource dsB = pool(tm, bank.b())) {
      Gtrid g = CrashWorkload.beginTransfer(tm, dsA, dsB, "unconf-1", 1, 2, 40);
      try (Connection a = dsA.getConnection()) {
        pgPid.set((int) single(a, "select pg_backend_pid()"));
      }
      try {
        tm.commit(); // decided before the kill
      } catch (Exception e) {
        System.out.println("commit() after the session was killed threw: " + e);
      }
      assertEquals("killed at AFTER_COMMITTING_DURABLE", killed.get());
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!(bank.a().transfers().containsKey("unconf-1")
          && bank.a().preparedOf(node).isEmpty())) {
        assertTrue(
            System.nanoTime() < deadline,
            "no periodic pass committed the PostgreSQL branch of "
                + g
                + "; last report: "
                + tm.recovery().lastReport());
        Thread.sleep(100);
      }
      assertTrue(bank.b().transfers().containsKey("unconf-1"), "MariaDB committed at once");
      System.out.println("committed by: " + tm.recovery().lastReport());
    }
  }

  private static XatmDataSource pool(XatmTransactionManager tm, Bank.Side s) throws SQLException {
    return XatmDataSource.builder()
        .url(s.xaUrl())
        .user(s.user())
        .password(s.password())
        .maxPoolSize(4)
        .runtime(tm)
        .build();
  }

  private static long single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
