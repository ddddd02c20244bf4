package dev.xatm.it.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.crash.Bank;
import dev.xatm.it.crash.CrashLog;
import dev.xatm.it.crash.CrashRig;
import dev.xatm.it.crash.Invariants;
import dev.xatm.it.crash.Transcript;
import dev.xatm.it.crash.WorkloadProcess;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A configured resource that is down when the TM starts: a workload on a private PostgreSQL cluster
 * (side A) and MariaDB (side B) halts with decided transactions in doubt; the cluster is stopped
 * with an immediate shutdown; a new TM starts anyway, its startup report says side A is unreachable
 * (and finishes side B), and after the cluster is back a {@code runPass()} finishes the work: I1–I4
 * and the money total hold, and the log has End for every decided transaction.
 */
class ResourceDownAtStartupIT {
  private static PostgresServer privatePg;

  @AfterEach
  void restart() throws Exception {
    if (privatePg != null) {
      privatePg.start(); // never leave the cluster down for the next test
    }
  }

  @Test
  void startupCompletesReportsTheResourceAndALaterPassFinishes() throws Exception {
    privatePg = PostgresServer.privateCluster();
    Bank bank = Bank.on(Bank.Pair.PG_MARIADB, privatePg, "xatm_crash_down").recreate();
    bank.reset();
    String node = "rcv-down";
    Path log = Files.createTempDirectory("xatm-down");
    Map<String, String> args = CrashRig.workloadArgs(bank, log, node, 11);
    args.put("threads", "3");
    args.put("park", "true");
    args.put("hit", "3");
    args.put("failpoint", "AFTER_COMMITTING_DURABLE");
    Transcript t;
    try (WorkloadProcess p = WorkloadProcess.start(node, args)) {
      t = CrashRig.awaitHalt(p, 60_000);
    }
    LogState crashed = CrashLog.read(log);
    assertEquals(3, crashed.decided().size());
    privatePg.stopImmediately();

    try (XatmTransactionManager tm =
        XatmTransactionManager.start(CrashRig.recoveringConfig(bank, log, node))) {
      RecoveryReport startup = tm.recovery().lastReport();
      System.out.println("startup with side A down: " + startup);
      assertTrue(startup.unresolved(), "the startup report shows unresolved work");
      assertTrue(
          startup.lines().stream()
              .anyMatch(
                  l ->
                      l.result() == RecoveryResult.UNREACHABLE
                          && l.resourceId().contains(bank.a().database())),
          "the startup report names side A as unreachable");
      assertTrue(bank.b().preparedOf(node).isEmpty(), "side B was finished at startup");
      // Side A could not be scanned: its decided branches are reported from the log, and listed
      // as in doubt (waiting for A), so an operator sees them during the outage.
      assertEquals(
          3,
          tm.recovery().inDoubt().stream()
              .filter(d -> d.result() == RecoveryResult.UNREACHABLE)
              .filter(d -> d.resourceId().contains(bank.a().database()))
              .count(),
          () -> "in doubt while A is down: " + tm.recovery().inDoubt());
      long unconfirmedA =
          startup.lines().stream()
              .filter(l -> l.result() == RecoveryResult.UNREACHABLE)
              .filter(l -> l.xid().startsWith(node + "/"))
              .filter(l -> l.resourceId().contains(bank.a().database()))
              .count();
      assertEquals(3, unconfirmedA, "each decided branch of side A is reported not confirmed");

      privatePg.start();
      assertEquals(3, bank.a().preparedOf(node).size(), "side A's branches survived the stop");
      RecoveryReport later = tm.recovery().runPass();
      System.out.println("after the restart: " + later);
      assertFalse(later.unresolved(), later::toString);
      long commits =
          later.lines().stream()
              .filter(l -> l.result() == RecoveryResult.DONE)
              .map(RecoveryLine::xid)
              .filter(x -> x.startsWith(node + "/"))
              .count();
      assertTrue(commits >= 3, "the later pass committed side A's three branches: " + later);
      assertTrue(tm.recovery().inDoubt().isEmpty(), () -> "in doubt: " + tm.recovery().inDoubt());
    }
    CrashRig.assertInvariants(bank, List.of(new Invariants.NodeRun(node, t, crashed)));
    CrashRig.assertLogConverged(log);
  }
}
