package dev.xatm.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.support.PostgresServer;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 §2 on real PostgreSQL and MariaDB: two TMs misconfigured with the same node id, each
 * with its own log directory, the same databases. While A's transaction has both branches prepared
 * and no decision yet, B starts and runs its startup recovery: it must report A's Xids as a node-id
 * clash and touch nothing, so A's commit then completes on both sides (before, B rolled them back
 * as "current epoch, not alive" and A's commit ended heuristic with the money moved on one side).
 */
class SameNodeIdTwoProcessesIT {

  @Test
  void theSecondProcessNeverTouchesTheFirstOnesPreparedBranches() throws Exception {
    Bank bank = Bank.on(Bank.Pair.PG_MARIADB, PostgresServer.shared(), "xatm_samenode").recreate();
    bank.reset();
    String node = "rcvsame";
    CountDownLatch prepared = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    Failpoints fp = new Failpoints();
    fp.arm(
        Failpoint.BEFORE_COMMITTING_DURABLE,
        Failpoints.onHit(
            1,
            (p, g, b) -> {
              prepared.countDown();
              try {
                go.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }));
    try (XatmTransactionManager a =
            XatmTransactionManager.builder(config(bank, node, "a")).failpoints(fp).start();
        XatmDataSource aA = pool(a, bank.a());
        XatmDataSource aB = pool(a, bank.b())) {
      AtomicReference<Gtrid> g = new AtomicReference<>();
      AtomicReference<Throwable> outcome = new AtomicReference<>();
      Thread app =
          new Thread(
              () -> {
                try {
                  g.set(CrashWorkload.beginTransfer(a, aA, aB, "same-1", 1, 2, 40));
                  a.commit();
                } catch (Throwable t) {
                  outcome.set(t);
                }
              });
      app.start();
      assertTrue(prepared.await(20, TimeUnit.SECONDS), "A's branches prepared");
      Set<XatmXid> before = prepared(bank, node);
      assertEquals(2, before.size(), before::toString);

      RecoveryReport r;
      try (XatmTransactionManager b = XatmTransactionManager.start(config(bank, node, "b"))) {
        r = b.recovery().lastReport();
        assertEquals(2, r.count(RecoveryResult.NODE_ID_CLASH), r.toString());
        assertEquals(2, b.metrics().nodeIdClashXids());
      }
      assertEquals(before, prepared(bank, node), "B touched A's branches: " + r);

      go.countDown();
      app.join(30_000);
      assertNull(outcome.get(), "A's commit completes normally");
      assertTrue(bank.a().transfers().containsKey("same-1"));
      assertTrue(bank.b().transfers().containsKey("same-1"));
      assertTrue(prepared(bank, node).isEmpty());
    } finally {
      go.countDown();
    }
  }

  private static Set<XatmXid> prepared(Bank bank, String node) throws SQLException {
    Set<XatmXid> s = new HashSet<>(bank.a().preparedOf(node));
    s.addAll(bank.b().preparedOf(node));
    return s;
  }

  private static XatmConfig config(Bank bank, String node, String which) throws Exception {
    Path log = Files.createTempDirectory("xatm-same-" + which);
    XatmConfig.Builder b =
        XatmConfig.builder()
            .nodeId(node)
            .logDir(log)
            .segmentSize(CrashLog.SEGMENT_SIZE)
            .installAsDefault(false)
            .jmxEnabled(false);
    bank.recoveryProperties().forEach(b::recovery);
    b.recovery("xatm.recovery.interval", "0");
    return b.build();
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
}
