package dev.xatm.tm.recovery;

import static dev.xatm.tm.recovery.Rig.branches;
import static dev.xatm.tm.recovery.Rig.gtrid;
import static dev.xatm.tm.recovery.Rig.xid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.testing.FakeXAResource.BranchState;
import java.util.List;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One test per row of the table in docs/recovery.md, through the startup pass. */
class DecisionTableTest {
  private final Rig rig = new Rig();

  @AfterEach
  void close() throws Exception {
    rig.close();
  }

  private static RecoveryLine lineOf(RecoveryReport r, Xid x) {
    return r.lines().stream()
        .filter(l -> l.xid().equals(x.toString()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line for " + x + " in " + r));
  }

  private long ends(Gtrid g, Outcome o) {
    return rig.log.records().stream().filter(r -> r.equals(new TxRecord.End(g, o))).count();
  }

  @Test
  void committingWithoutEndIsCommittedOnEveryBranchThenEnded() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.earlierProcess("a", "b");
    Gtrid g = gtrid(1, 7);
    rig.log.logBegin(g, branches("a", "b"), 0);
    rig.log.logCommitting(g, branches("a", "b"));
    a.hold(xid(g, 1));
    b.hold(xid(g, 2));
    rig.start();
    RecoveryReport r = rig.tm.recovery().lastReport();
    assertEquals(RecoveryAction.COMMIT, lineOf(r, xid(g, 1)).action());
    assertEquals(RecoveryResult.DONE, lineOf(r, xid(g, 2)).result());
    assertEquals(RecoveryLogState.COMMITTING, lineOf(r, xid(g, 1)).logState());
    assertEquals(BranchState.COMMITTED, a.state(xid(g, 1)));
    assertEquals(BranchState.COMMITTED, b.state(xid(g, 2)));
    assertEquals(1, ends(g, Outcome.COMMITTED));
    assertFalse(r.unresolved(), r.toString());
    assertTrue(rig.tm.recovery().runPass().lines().isEmpty(), "the second pass finds nothing");
    assertEquals(1, ends(g, Outcome.COMMITTED), "End is written once");
  }

  @Test
  void committingWithBranchesAlreadyCommittedOnlyWritesEnd() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.earlierProcess("a", "b");
    Gtrid g = gtrid(1, 7);
    rig.log.logCommitting(g, branches("a", "b"));
    rig.start();
    assertEquals(0, a.sent("commit") + b.sent("commit"));
    assertEquals(1, ends(g, Outcome.COMMITTED));
  }

  @Test
  void endCommittedButStillPreparedIsCommittedAndReported() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.earlierProcess("a");
    Gtrid g = gtrid(1, 3);
    rig.log.logCommitting(g, branches("a"));
    rig.log.logEnd(g, Outcome.COMMITTED);
    a.hold(xid(g, 1));
    rig.start();
    RecoveryLine l = lineOf(rig.tm.recovery().lastReport(), xid(g, 1));
    assertEquals(RecoveryLogState.ENDED_COMMITTED, l.logState());
    assertEquals(RecoveryAction.COMMIT, l.action());
    assertTrue(l.reason().contains("INCONSISTENT"), l.reason());
    assertEquals(BranchState.COMMITTED, a.state(xid(g, 1)));
  }

  @Test
  void endRolledBackButStillPreparedIsRolledBackAndReported() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.earlierProcess("a");
    Gtrid g = gtrid(1, 3);
    rig.log.logBegin(g, branches("a"), 0);
    rig.log.logEnd(g, Outcome.ROLLED_BACK);
    a.hold(xid(g, 1));
    rig.start();
    RecoveryLine l = lineOf(rig.tm.recovery().lastReport(), xid(g, 1));
    assertEquals(RecoveryLogState.ENDED_ROLLED_BACK, l.logState());
    assertEquals(RecoveryAction.ROLLBACK, l.action());
    assertTrue(l.reason().contains("INCONSISTENT"), l.reason());
    assertEquals(BranchState.ROLLED_BACK, a.state(xid(g, 1)));
  }

  @Test
  void begunOnlyOfAnEarlierEpochIsPresumedAborted() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.earlierProcess("a");
    Gtrid g = gtrid(1, 4);
    rig.log.logBegin(g, branches("a"), 0);
    a.hold(xid(g, 1));
    rig.start();
    RecoveryLine l = lineOf(rig.tm.recovery().lastReport(), xid(g, 1));
    assertEquals(RecoveryLogState.BEGUN, l.logState());
    assertEquals(RecoveryAction.ROLLBACK, l.action());
    assertEquals(BranchState.ROLLED_BACK, a.state(xid(g, 1)));
    assertEquals(0, a.sent("commit"), "I2: nothing committed without Committing");
  }

  /**
   * Issue 10: a transaction presumed aborted is finished (End rolled back) once no branch is
   * prepared any more, instead of staying "begun" and being copied into every checkpoint. One whose
   * branch is on an unreachable resource stays open.
   */
  @Test
  void presumedAbortedTransactionsAreFinishedOnceNoBranchIsPrepared() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.earlierProcess("a", "b");
    Gtrid prepared = gtrid(1, 1);
    Gtrid neverPrepared = gtrid(1, 2);
    Gtrid waiting = gtrid(1, 3);
    rig.log.logBegin(prepared, branches("a", "b"), 0);
    rig.log.logBegin(neverPrepared, branches("a", "b"), 0);
    rig.log.logBegin(waiting, branches("a", "b"), 0);
    a.hold(xid(prepared, 1));
    a.hold(xid(waiting, 1));
    b.recoverFailsWith(javax.transaction.xa.XAException.XAER_RMFAIL);
    rig.start();
    assertFalse(a.holds(xid(prepared, 1)));
    assertFalse(a.holds(xid(waiting, 1)));
    // b could not be scanned: its branches may still be prepared.
    assertEquals(3, rig.log.replay().begunOnly().size(), rig.tm.recovery().lastReport().toString());

    b.recoverFailsWith(0);
    RecoveryReport r = rig.tm.recovery().runPass();
    assertEquals(3, r.count(RecoveryResult.DONE), r.toString());
    assertEquals(java.util.Map.of(), rig.log.replay().begunOnly(), r.toString());
    for (Gtrid g : List.of(prepared, neverPrepared, waiting)) {
      assertEquals(
          1,
          rig.log.records().stream()
              .filter(new TxRecord.End(g, Outcome.ROLLED_BACK)::equals)
              .count(),
          g.toString());
    }
    assertTrue(rig.tm.recovery().runPass().lines().isEmpty(), "converged");
  }

  @Test
  void noRecordAtAllOfAnEarlierEpochIsPresumedAborted() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.earlierProcess("a");
    Gtrid g = gtrid(1, 5);
    a.hold(xid(g, 1));
    rig.start();
    RecoveryLine l = lineOf(rig.tm.recovery().lastReport(), xid(g, 1));
    assertEquals(RecoveryLogState.NONE, l.logState());
    assertEquals(BranchState.ROLLED_BACK, a.state(xid(g, 1)));
  }

  @Test
  void currentEpochAliveIsLeftAloneAndNotAliveIsRolledBack() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.start();
    rig.tm.begin();
    rig.tm.getTransaction().enlistResource(a);
    Gtrid live = (Gtrid) rig.tm.getTransactionKey();
    XatmXid liveXid = xid(live, 1);
    a.hold(liveXid); // as if phase 1 had prepared it
    Gtrid gone = new Gtrid(Rig.NODE, live.logId(), live.incarnation(), rig.tm.epoch(), 999);
    a.hold(xid(gone, 1));
    RecoveryReport r = rig.tm.recovery().runPass();
    assertEquals(RecoveryResult.LEFT_ALONE, lineOf(r, liveXid).result());
    assertEquals(RecoveryLogState.ALIVE, lineOf(r, liveXid).logState());
    assertTrue(a.holds(liveXid));
    assertEquals(RecoveryAction.ROLLBACK, lineOf(r, xid(gone, 1)).action());
    assertFalse(a.holds(xid(gone, 1)));
    rig.tm.rollback();
  }

  @Test
  void reportAndInDoubtAreEmptyBeforeAnyPassWhenStartupIsOff() throws Exception {
    rig.resource("a");
    rig.set("xatm.recovery.startup", "false").set("xatm.recovery.interval", "0");
    rig.start();
    assertNull(rig.tm.recovery().lastReport());
    assertEquals(List.of(), rig.tm.recovery().inDoubt());
    rig.scheduler.advanceAndRun(Rig.seconds(3600));
    assertEquals(0, rig.connector.opens().size(), "interval 0: no background pass");
    assertNull(rig.tm.recovery().lastReport());
  }
}
