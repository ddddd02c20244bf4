package dev.xatm.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.testing.FakeXAResource.BranchState;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 §2 and §3: whose an Xid with our node id is. Two processes configured with one node id
 * (each its own log, the same databases) never touch each other's prepared branches; a log that
 * lost its newest records hands out fresh gtrids and never presumes abort for Xids that prove the
 * loss.
 */
class LogIdentityTest {

  /** Freezes the first transaction of {@code rig} at {@code point} until {@code go} opens. */
  private static Thread frozenAt(
      Rig rig,
      Failpoint point,
      CountDownLatch reached,
      CountDownLatch go,
      AtomicReference<Gtrid> gtrid,
      AtomicReference<Throwable> outcome,
      PreparedResource... rs) {
    rig.failpoints.arm(
        point,
        Failpoints.onHit(
            1,
            (p, g, br) -> {
              reached.countDown();
              try {
                go.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }));
    Thread app =
        new Thread(
            () -> {
              try {
                rig.tm.begin();
                gtrid.set((Gtrid) rig.tm.getTransactionKey());
                for (PreparedResource r : rs) {
                  rig.tm.getTransaction().enlistResource(r);
                }
                rig.tm.commit();
              } catch (Throwable t) {
                outcome.set(t);
              }
            });
    app.start();
    return app;
  }

  @Test
  void aSecondProcessWithTheSameNodeIdNeverRollsBackTheFirstOnesPreparedBranches()
      throws Exception {
    try (Rig a = new Rig();
        Rig b = new Rig(Rig.LOG_ID + 1)) {
      PreparedResource x = a.resource("x");
      PreparedResource y = a.resource("y");
      b.share(x).share(y);
      a.start();
      CountDownLatch reached = new CountDownLatch(1);
      CountDownLatch go = new CountDownLatch(1);
      AtomicReference<Gtrid> g = new AtomicReference<>();
      AtomicReference<Throwable> outcome = new AtomicReference<>();
      Thread app = frozenAt(a, Failpoint.BEFORE_COMMITTING_DURABLE, reached, go, g, outcome, x, y);
      assertTrue(reached.await(10, TimeUnit.SECONDS));
      XatmXid x1 = new XatmXid(g.get(), 1);
      XatmXid y2 = new XatmXid(g.get(), 2);
      assertTrue(x.holds(x1) && y.holds(y2), "A's branches are prepared");

      b.start(); // same node id n1, its own (empty) log, the same databases
      RecoveryReport r = b.tm.recovery().lastReport();
      assertEquals(0, x.sent("rollback") + y.sent("rollback"), r.toString());
      assertEquals(2, r.count(RecoveryResult.NODE_ID_CLASH), r.toString());
      assertTrue(r.unresolved(), "reported loudly: " + r);
      assertTrue(r.toString().contains("NODE ID CLASH"), r.toString());
      assertEquals(2, b.tm.metrics().nodeIdClashXids());
      assertTrue(b.tm.recovery().runPass().count(RecoveryResult.NODE_ID_CLASH) == 2);

      go.countDown();
      app.join(10_000);
      assertEquals(null, outcome.get(), "A's commit succeeds");
      assertEquals(BranchState.COMMITTED, x.state(x1));
      assertEquals(BranchState.COMMITTED, y.state(y2));
    }
  }

  @Test
  void aLogThatLostItsTailHandsOutFreshGtridsAndNeverPresumesAbortForTheEvidence()
      throws Exception {
    try (Rig rig = new Rig()) {
      PreparedResource x = rig.resource("x");
      PreparedResource y = rig.resource("y");
      rig.start();
      CountDownLatch reached = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      AtomicReference<Gtrid> g = new AtomicReference<>();
      AtomicReference<Throwable> outcome = new AtomicReference<>();
      frozenAt(rig, Failpoint.BEFORE_COMMITTING_DURABLE, reached, never, g, outcome, x, y);
      assertTrue(reached.await(10, TimeUnit.SECONDS));
      Gtrid old = g.get();
      XatmXid x1 = new XatmXid(old, 1);

      // The process dies and the log loses every record of its start (the active segment
      // truncated to its header); the operator opens it in damaged mode right away. The start
      // takes the same epoch again.
      rig.crashLosingRecordsAfter(0);
      rig.log.markOpenedDespiteDamage();
      rig.start();
      assertEquals(old.epoch(), rig.tm.epoch(), "the same epoch is handed out again");
      RecoveryReport r = rig.tm.recovery().lastReport();
      assertTrue(r.toString().contains("LOST LOG RECORDS"), r.toString());
      assertEquals(2, rig.tm.recovery().inDoubt().size(), r.toString());

      rig.tm.begin();
      Gtrid fresh = (Gtrid) rig.tm.getTransactionKey();
      rig.tm.getTransaction().enlistResource(x);
      rig.tm.getTransaction().enlistResource(y);
      rig.tm.commit();
      assertEquals(old.epoch(), fresh.epoch());
      assertEquals(old.sequence(), fresh.sequence());
      assertNotEquals(old, fresh, "another incarnation: a fresh gtrid");
      assertEquals(BranchState.COMMITTED, x.state(new XatmXid(fresh, 1)));
      assertEquals(BranchState.PREPARED, x.state(x1), "the old undecided branch is untouched");
      assertEquals(0, x.sent("rollback"));
      assertTrue(
          rig.log.records().stream()
              .noneMatch(t -> t instanceof TxRecord.Committing c && c.gtrid().equals(old)));

      // Damaged mode logged them as kept in doubt: a later start in strict mode, even after a
      // checkpoint and GC, keeps them in doubt and touches nothing.
      rig.tm.close();
      rig.log.compactLikeACheckpoint();
      rig.crashLosingRecordsAfter(rig.log.records().size()); // the same records, no damage
      rig.start();
      assertEquals(2, rig.tm.recovery().inDoubt().size());
      assertTrue(x.holds(x1) && y.holds(new XatmXid(old, 2)));
      assertEquals(0, x.sent("rollback") + y.sent("rollback"));

      // The operator resolves them; afterwards nothing is in doubt.
      rig.tm.recovery().rollbackInDoubt(x1.toString());
      rig.tm.recovery().rollbackInDoubt(new XatmXid(old, 2).toString());
      rig.tm.close();
      rig.crashLosingRecordsAfter(rig.log.records().size());
      rig.start();
      assertTrue(rig.tm.recovery().inDoubt().isEmpty());
      never.countDown();
    }
  }

  /**
   * Review of issue 10, item 2: once the operator rolled back one branch of a lost-records gtrid
   * (its End resolves the KeptInDoubt record), its other branches follow that End. They used to be
   * classified as lost records again before the End was looked at: kept in doubt anew by a pass,
   * and a strict start refused.
   */
  @Test
  void anOperatorRollbackOfOneLostRecordsBranchDecidesItsOtherBranches() throws Exception {
    try (Rig rig = new Rig()) {
      PreparedResource x = rig.resource("x");
      PreparedResource y = rig.resource("y");
      rig.start();
      CountDownLatch reached = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      AtomicReference<Gtrid> g = new AtomicReference<>();
      AtomicReference<Throwable> outcome = new AtomicReference<>();
      frozenAt(rig, Failpoint.BEFORE_COMMITTING_DURABLE, reached, never, g, outcome, x, y);
      assertTrue(reached.await(10, TimeUnit.SECONDS));
      XatmXid x1 = new XatmXid(g.get(), 1);
      XatmXid y2 = new XatmXid(g.get(), 2);
      rig.crashLosingRecordsAfter(0);
      rig.log.markOpenedDespiteDamage();
      rig.start();
      assertEquals(2, rig.tm.recovery().inDoubt().size());
      long kept = rig.log.records().stream().filter(TxRecord.KeptInDoubt.class::isInstance).count();

      rig.tm.recovery().rollbackInDoubt(x1.toString());
      // A strict start between the two operator actions follows the operator's End.
      rig.tm.close();
      rig.crashLosingRecordsAfter(rig.log.records().size());
      rig.start();
      RecoveryReport r = rig.tm.recovery().lastReport();
      assertEquals(BranchState.ROLLED_BACK, y.state(y2), r.toString());
      assertTrue(rig.tm.recovery().inDoubt().isEmpty(), r.toString());
      assertEquals(
          kept,
          rig.log.records().stream().filter(TxRecord.KeptInDoubt.class::isInstance).count(),
          "not kept in doubt again");
      never.countDown();
    }
  }

  /**
   * Review of issue 10, item 1: the lost tail took epoch 2's EpochStarted and the Committing of an
   * epoch-1 transaction whose start survived. The strict start refuses before any XA call: the
   * epoch-1 Xid, listed first, used to be rolled back (presumed abort) and its End written before
   * the epoch-2 Xid triggered the refusal.
   */
  @Test
  void aStrictStartDecidesEveryXidBeforeItRefusesOnLostRecords() throws Exception {
    try (Rig rig = new Rig()) {
      PreparedResource x = rig.resource("x");
      PreparedResource y = rig.resource("y");
      rig.earlierProcess("x", "y");
      Gtrid committedInTheLostTail = Rig.gtrid(1, 7); // its start is known, its Committing lost
      Gtrid ofTheLostStart = new Gtrid(Rig.NODE, Rig.LOG_ID, 0x0a0b0c0d, 2, 1);
      x.hold(new XatmXid(committedInTheLostTail, 1));
      y.hold(new XatmXid(ofTheLostStart, 1));
      int records = rig.log.records().size();
      XatmStartupException e = assertThrows(XatmStartupException.class, rig::start);
      assertTrue(e.getMessage().contains("lost records"), e.getMessage());
      assertEquals(0, x.sent("rollback") + x.sent("commit") + y.sent("rollback"), e.getMessage());
      assertTrue(x.holds(new XatmXid(committedInTheLostTail, 1)), "not presumed aborted");
      assertTrue(
          rig.log.records().subList(records, rig.log.records().size()).stream()
              .noneMatch(r -> r instanceof TxRecord.End),
          "no End written: " + rig.log.records());
    }
  }

  /** Without damaged mode, the first start that sees the evidence refuses and touches nothing. */
  @Test
  void aStrictStartThatFindsEvidenceOfLostRecordsRefuses() throws Exception {
    try (Rig rig = new Rig()) {
      PreparedResource x = rig.resource("x");
      PreparedResource y = rig.resource("y");
      rig.start();
      CountDownLatch reached = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      AtomicReference<Gtrid> g = new AtomicReference<>();
      AtomicReference<Throwable> outcome = new AtomicReference<>();
      frozenAt(rig, Failpoint.BEFORE_COMMITTING_DURABLE, reached, never, g, outcome, x, y);
      assertTrue(reached.await(10, TimeUnit.SECONDS));
      XatmXid x1 = new XatmXid(g.get(), 1);
      rig.crashLosingRecordsAfter(0);
      for (int attempt = 0; attempt < 2; attempt++) {
        XatmStartupException e = assertThrows(XatmStartupException.class, rig::start);
        assertTrue(e.getMessage().contains("lost records"), e.getMessage());
        assertTrue(e.getMessage().contains(x1.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("xatm.log.open-damaged"), e.getMessage());
        assertTrue(x.holds(x1) && y.holds(new XatmXid(g.get(), 2)));
        assertEquals(0, x.sent("rollback") + y.sent("rollback") + x.sent("commit"));
        rig.log.reopen();
      }
      never.countDown();
    }
  }

  @Test
  void oldLayoutXidsAreOursOnlyThroughARecordOfOurLog() throws Exception {
    try (Rig rig = new Rig()) {
      PreparedResource x = rig.resource("x");
      rig.earlierProcess("x");
      Gtrid begun = new Gtrid(Rig.NODE, 1, 1); // layout 1, as the previous version wrote
      Gtrid decided = new Gtrid(Rig.NODE, 1, 2);
      Gtrid unknown = new Gtrid(Rig.NODE, 1, 3);
      rig.log.logBegin(begun, Rig.branches("x"), 0);
      rig.log.logCommitting(decided, Rig.branches("x"));
      for (Gtrid o : List.of(begun, decided, unknown)) {
        x.hold(new XatmXid(o, 1));
      }
      rig.start();
      RecoveryReport r = rig.tm.recovery().lastReport();
      assertEquals(BranchState.ROLLED_BACK, x.state(new XatmXid(begun, 1)), r.toString());
      assertEquals(BranchState.COMMITTED, x.state(new XatmXid(decided, 1)), r.toString());
      assertTrue(x.holds(new XatmXid(unknown, 1)), "no record: maybe another process's");
      assertEquals(1, rig.tm.recovery().inDoubt().size(), r.toString());
    }
  }

  /**
   * Review of issue 10, item 5 (upgrade): a phase-1 crash under the previous version leaves
   * old-layout branches with no record (Begin is not forced). By default they stay in doubt; with
   * xatm.recovery.legacy-xids=presume-abort they are presumed aborted, but only for epochs before
   * the log's first new-layout start (later ones cannot be this log's). The setting used to be
   * unknown (the start failed).
   */
  @Test
  void unrecordedOldLayoutXidsArePresumedAbortedOnlyWhenTheOperatorOptsIn() throws Exception {
    for (boolean optIn : new boolean[] {false, true}) {
      try (Rig rig = new Rig()) {
        PreparedResource x = rig.resource("x");
        if (optIn) {
          rig.set("xatm.recovery.legacy-xids", "presume-abort");
        }
        rig.log.logEpoch(1, 0, 1); // the previous version: no incarnation
        rig.log.logResourceRegistered(
            new dev.xatm.tm.spi.ResourceDescriptor("x", "fake:x", "user"));
        rig.log.logEpoch(2, Rig.EARLIER_INCARNATION, 2); // the first start after the upgrade
        XatmXid oldCrash = new XatmXid(new Gtrid(Rig.NODE, 1, 5), 1);
        XatmXid notOurs = new XatmXid(new Gtrid(Rig.NODE, 2, 5), 1); // layout 1 after the upgrade
        x.hold(oldCrash);
        x.hold(notOurs);
        rig.start();
        RecoveryReport r = rig.tm.recovery().lastReport();
        if (optIn) {
          assertEquals(BranchState.ROLLED_BACK, x.state(oldCrash), r.toString());
        } else {
          assertTrue(x.holds(oldCrash), "kept in doubt by default: " + r);
        }
        assertTrue(x.holds(notOurs), "never presumed aborted: " + r);
      }
    }
    assertThrows(
        dev.xatm.tm.XatmConfigException.class,
        () ->
            RecoveryConfig.parse(
                java.util.Map.of("xatm.recovery.legacy-xids", "yes"), java.util.Map.of()));
  }

  @Test
  void theGtridLayoutRoundTripsAndFitsXa() {
    Gtrid g = new Gtrid("n".repeat(32), -5, -7, Long.MAX_VALUE, Long.MAX_VALUE);
    byte[] bytes = g.toBytes();
    assertTrue(bytes.length <= 64, "" + bytes.length);
    assertEquals(g, Gtrid.fromBytes(bytes).orElseThrow());
    assertEquals(g, Gtrid.parse(g.toString()).orElseThrow());
    Gtrid old = new Gtrid("a/b", 3, 4);
    assertEquals(old, Gtrid.fromBytes(old.toBytes()).orElseThrow());
    assertEquals(old, Gtrid.parse(old.toString()).orElseThrow());
    assertEquals(2 + 3 + 16, old.toBytes().length, "layout 1 unchanged");
  }
}
