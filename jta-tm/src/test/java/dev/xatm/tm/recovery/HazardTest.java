package dev.xatm.tm.recovery;

import static dev.xatm.tm.recovery.Rig.branches;
import static dev.xatm.tm.recovery.Rig.gtrid;
import static dev.xatm.tm.recovery.Rig.xid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.HeuristicOutcome;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.spi.IdentifiedXAResource;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.testing.FakeXAResource.BranchState;
import dev.xatm.tm.testing.FakeXAResource.Op;
import java.time.Duration;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hazards 1-7 of the recovery brief, each with a test that fails if the rule is broken. */
class HazardTest {
  private final Rig rig = new Rig();

  @AfterEach
  void close() throws Exception {
    rig.close();
  }

  private long records(TxRecord r) {
    return rig.log.records().stream().filter(r::equals).count();
  }

  /**
   * Hazard 1: a transaction of this process, decided and no longer alive, is committed by recovery
   * (never rolled back), and the background retry then stops and writes End.
   */
  @Test
  void decidedInThisProcessAndRetriedInTheBackgroundIsCommittedNeverRolledBack() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.set("xatm.recovery.interval", "0").start();
    b.script(Op.COMMIT, XAException.XAER_RMFAIL); // first commit of b fails: background retry
    rig.tm.begin();
    rig.tm.getTransaction().enlistResource(a);
    rig.tm.getTransaction().enlistResource(b);
    Gtrid g = (Gtrid) rig.tm.getTransactionKey();
    rig.tm.commit();
    assertEquals(1, rig.tm.pendingRetries());
    XatmXid bx = xid(g, 2);
    assertTrue(b.holds(bx), "b's branch is still prepared");

    RecoveryReport r = rig.tm.recovery().runPass();
    RecoveryLine l =
        r.lines().stream().filter(x -> x.xid().equals(bx.toString())).findFirst().orElseThrow();
    assertEquals(RecoveryAction.COMMIT, l.action(), r.toString());
    assertEquals(RecoveryResult.DONE, l.result(), r.toString());
    assertEquals(RecoveryLogState.COMMITTING, l.logState());
    assertEquals(0, b.sent("rollback"), "I3: never rolled back");
    assertEquals(BranchState.COMMITTED, b.state(bx));
    assertThrows(
        RecoveryRefusedException.class,
        () -> rig.tm.recovery().rollbackInDoubt(bx.toString()),
        "not in doubt, and decided anyway");
    rig.scheduler.advanceAndRun(Rig.seconds(1));
    assertEquals(0, rig.tm.pendingRetries());
    assertEquals(2, b.sent("commit"), "the retry did not commit again what recovery committed");
    assertEquals(1, records(new TxRecord.End(g, Outcome.COMMITTED)));
  }

  /**
   * The connection a decided branch was enlisted through died (a database restart between prepare
   * and commit, a pool that closed it): the background retry can never reach the branch through it.
   * Issue 10: the retry reconnects through the resource's recipe and commits the branch there, and
   * never calls the dead connection again; recovery finds nothing left.
   */
  @Test
  void decidedBranchOnADeadConnectionIsCommittedByTheRetryThroughAFreshConnection()
      throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.set("xatm.recovery.interval", "0").start();
    DeadAfterPrepare deadB = new DeadAfterPrepare(b, false);
    rig.tm.begin();
    rig.tm.getTransaction().enlistResource(a);
    rig.tm.getTransaction().enlistResource(deadB);
    Gtrid g = (Gtrid) rig.tm.getTransactionKey();
    rig.tm.commit();
    XatmXid bx = xid(g, 2);
    assertEquals(1, deadB.commits, "the coordinator's commit hit the dead connection");
    rig.scheduler.advanceAndRun(Rig.seconds(1));
    assertEquals(BranchState.COMMITTED, b.state(bx));
    assertEquals(0, rig.tm.pendingRetries());
    assertEquals(1, records(new TxRecord.End(g, Outcome.COMMITTED)));
    assertEquals(0, b.sent("rollback"), "I3");
    rig.scheduler.advanceAndRun(Rig.seconds(600));
    assertEquals(1, deadB.commits, "no more calls to the dead connection");
    assertTrue(rig.tm.recovery().runPass().lines().isEmpty());
  }

  /**
   * Issue 10: the database is down for a while after the decision. Retries fail to connect and back
   * off; the first retry after it is back commits the branch, within one back-off step, instead of
   * calling the dead connection until the next recovery pass.
   */
  @Test
  void decidedBranchCompletesWithinOneBackoffStepOfTheDatabaseComingBack() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.set("xatm.recovery.interval", "1h").start();
    DeadAfterPrepare deadB = new DeadAfterPrepare(b, false);
    rig.tm.begin();
    rig.tm.getTransaction().enlistResource(a);
    rig.tm.getTransaction().enlistResource(deadB);
    Gtrid g = (Gtrid) rig.tm.getTransactionKey();
    rig.connector.down("b", true); // the database restarts
    rig.tm.commit();
    XatmXid bx = xid(g, 2);
    long opensWhileDown = 0;
    for (int i = 0; i < 6; i++) { // 100 ms, 200 ms, ... 3.2 s of back-off
      rig.scheduler.advanceAndRun(Duration.ofMillis(100L << i));
      assertTrue(b.holds(bx), "down: still prepared");
    }
    opensWhileDown = rig.connector.opensOf("b");
    assertTrue(opensWhileDown >= 5, "every retry tried a fresh connection: " + opensWhileDown);
    rig.connector.down("b", false); // back
    rig.scheduler.advanceAndRun(Duration.ofMillis(100L << 6)); // the next back-off step
    assertEquals(BranchState.COMMITTED, b.state(bx));
    assertEquals(0, rig.tm.pendingRetries());
    assertEquals(1, deadB.commits, "the dead connection was called once, by the coordinator");
    assertEquals(1, records(new TxRecord.End(g, Outcome.COMMITTED)));
  }

  /**
   * Issue 10 §1: a resource first used by this process and configured nowhere (the driver registers
   * it in the log, its pool offers the credentials) is scanned by the periodic passes, so a decided
   * branch whose connection died is committed by the next pass, not only at the next restart.
   */
  @Test
  void periodicPassScansAResourceFirstUsedInThisProcessWithNothingConfigured() throws Exception {
    PreparedResource a = new PreparedResource("a", rig.journal);
    PreparedResource b = new PreparedResource("b", rig.journal);
    rig.connector.add("a", a).add("b", b);
    rig.retryBackoff = Duration.ofHours(1); // the pass, not the background retry, must do it
    rig.set("xatm.recovery.interval", "10s").start();
    rig.tm.offerCredentials(b.descriptor(), "pool-pw");
    DeadAfterPrepare deadB = new DeadAfterPrepare(b, false);
    rig.tm.begin();
    rig.tm.getTransaction().enlistResource(a);
    rig.tm.getTransaction().enlistResource(deadB);
    Gtrid g = (Gtrid) rig.tm.getTransactionKey();
    rig.tm.commit();
    XatmXid bx = xid(g, 2);
    assertTrue(b.holds(bx), "decided, and its connection is dead");

    rig.scheduler.advanceAndRun(Rig.seconds(10));
    assertEquals(BranchState.COMMITTED, b.state(bx), "" + rig.tm.recovery().lastReport());
    assertEquals(0, b.sent("rollback"), "I3");
  }

  /**
   * A connection that died before its branch was prepared: the rollback cannot reach the resource,
   * and need not (unprepared work does not outlive its connection). No retry loops on it.
   */
  @Test
  void unpreparedBranchOnADeadConnectionIsNotRetriedForever() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.set("xatm.recovery.interval", "0").start();
    DeadAfterPrepare deadB = new DeadAfterPrepare(b, true);
    rig.tm.begin();
    rig.tm.getTransaction().enlistResource(a);
    rig.tm.getTransaction().enlistResource(deadB);
    Gtrid g = (Gtrid) rig.tm.getTransactionKey();
    assertThrows(jakarta.transaction.RollbackException.class, rig.tm::commit);
    assertEquals(0, rig.tm.pendingRetries(), "nothing to retry for a branch never prepared");
    assertEquals(1, deadB.rollbacks);
    assertEquals(BranchState.ROLLED_BACK, a.state(xid(g, 1)));
    assertFalse(b.holds(xid(g, 2)));
  }

  /**
   * A prepared branch whose rollback cannot get through its dead connection: recovery rolls it back
   * through its own (presumed abort for a finished, undecided transaction of this process) and the
   * background retry stops calling the dead connection.
   */
  @Test
  void preparedBranchWhoseRollbackCannotGetThroughIsRolledBackByRecovery() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.set("xatm.recovery.interval", "0").start();
    a.script(Op.PREPARE, XAException.XA_RBROLLBACK);
    DeadAfterPrepare deadB = new DeadAfterPrepare(b, false);
    rig.tm.begin();
    rig.tm.getTransaction().enlistResource(deadB);
    rig.tm.getTransaction().enlistResource(a);
    Gtrid g = (Gtrid) rig.tm.getTransactionKey();
    assertThrows(jakarta.transaction.RollbackException.class, rig.tm::commit);
    XatmXid bx = xid(g, 1);
    assertTrue(b.holds(bx), "prepared, and its rollback could not get through");
    assertEquals(1, rig.tm.pendingRetries());

    RecoveryReport r = rig.tm.recovery().runPass();
    assertFalse(b.holds(bx), r.toString());
    assertEquals(1, b.sent("rollback"), r.toString());
    rig.scheduler.advanceAndRun(Rig.seconds(60));
    assertEquals(0, rig.tm.pendingRetries(), "the retry dropped what recovery rolled back");
    int calls = deadB.rollbacks;
    rig.scheduler.advanceAndRun(Rig.seconds(600));
    assertEquals(calls, deadB.rollbacks, "no more calls to the dead connection");
  }

  /**
   * The enlisted handle of a resource whose connection dies once the branch is prepared (or, with
   * {@code deadAtPrepare}, before the prepare reaches it).
   */
  private static final class DeadAfterPrepare implements IdentifiedXAResource {
    private final PreparedResource rm;
    private final boolean deadAtPrepare;
    volatile int commits;
    volatile int rollbacks;

    DeadAfterPrepare(PreparedResource rm, boolean deadAtPrepare) {
      this.rm = rm;
      this.deadAtPrepare = deadAtPrepare;
    }

    @Override
    public ResourceDescriptor descriptor() {
      return rm.descriptor();
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
      rm.start(xid, flags);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
      rm.end(xid, flags);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
      if (deadAtPrepare) {
        throw new XAException(XAException.XAER_RMFAIL);
      }
      return rm.prepare(xid);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
      commits++;
      throw new XAException(XAException.XAER_RMFAIL);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
      rollbacks++;
      throw new XAException(XAException.XAER_RMFAIL);
    }

    @Override
    public void forget(Xid xid) throws XAException {
      throw new XAException(XAException.XAER_RMFAIL);
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
      throw new XAException(XAException.XAER_RMFAIL);
    }

    @Override
    public boolean isSameRM(XAResource other) {
      return other == this;
    }

    @Override
    public int getTransactionTimeout() {
      return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
      return false;
    }
  }

  /**
   * Hazard 1, the race: the scan lists the branch, then (before recovery reads its view of
   * "decided") the background retry commits it and writes End. Recovery must still not roll back.
   */
  @Test
  void transactionThatEndsBetweenTheScanAndTheCheckIsNotRolledBack() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.set("xatm.recovery.interval", "0").start();
    b.script(Op.COMMIT, XAException.XAER_RMFAIL);
    rig.tm.begin();
    rig.tm.getTransaction().enlistResource(a);
    rig.tm.getTransaction().enlistResource(b);
    Gtrid g = (Gtrid) rig.tm.getTransactionKey();
    rig.tm.commit();
    // Inside recover(): after the list is taken, the retry commits b and writes End.
    b.onRecover(() -> rig.scheduler.advanceAndRun(Rig.seconds(1)));
    RecoveryReport r = rig.tm.recovery().runPass();
    assertEquals(1, records(new TxRecord.End(g, Outcome.COMMITTED)), r.toString());
    assertEquals(0, b.sent("rollback"), "I3: no rollback sent: " + r);
    assertEquals(BranchState.COMMITTED, b.state(xid(g, 2)));
  }

  /** Hazard 4: End only when every branch is confirmed; an unreachable resource blocks it. */
  @Test
  void unreachableResourceBlocksEndUntilItIsBack() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.earlierProcess("a", "b");
    Gtrid g = gtrid(1, 9);
    rig.log.logCommitting(g, branches("a", "b"));
    a.hold(xid(g, 1));
    b.hold(xid(g, 2));
    rig.connector.down("b", true);
    rig.set("xatm.recovery.backoff.initial", "1s").set("xatm.recovery.backoff.max", "4s");
    rig.start();
    RecoveryReport first = rig.tm.recovery().lastReport();
    assertTrue(first.unresolved());
    assertEquals(BranchState.COMMITTED, a.state(xid(g, 1)));
    assertEquals(0, records(new TxRecord.End(g, Outcome.COMMITTED)), "no End: b unconfirmed");
    assertTrue(first.toString().contains("connection refused by b"), first.toString());
    List<InDoubtXid> waiting = rig.tm.recovery().inDoubt();
    assertEquals(1, waiting.size(), "the decided branch waiting for b is listed: " + waiting);
    assertEquals(xid(g, 2).toString(), waiting.get(0).xid());
    assertEquals("b", waiting.get(0).resourceId());
    assertEquals(RecoveryLogState.COMMITTING, waiting.get(0).logState());
    assertEquals(RecoveryResult.UNREACHABLE, waiting.get(0).result());
    // Background passes: b is retried after 1s, 2s, 4s, 4s (capped), not more often.
    long before = rig.connector.opensOf("b");
    rig.scheduler.advanceAndRun(Rig.seconds(1));
    assertEquals(before + 1, rig.connector.opensOf("b"));
    rig.scheduler.advanceAndRun(Rig.seconds(1));
    assertEquals(before + 1, rig.connector.opensOf("b"), "backing off for 2s now");
    rig.scheduler.advanceAndRun(Rig.seconds(1));
    assertEquals(before + 2, rig.connector.opensOf("b"));
    assertEquals(0, records(new TxRecord.End(g, Outcome.COMMITTED)));
    rig.connector.down("b", false);
    rig.scheduler.advanceAndRun(Rig.seconds(4));
    assertEquals(BranchState.COMMITTED, b.state(xid(g, 2)));
    assertEquals(1, records(new TxRecord.End(g, Outcome.COMMITTED)));
    assertFalse(rig.tm.recovery().lastReport().unresolved());
    assertEquals(List.of(), rig.tm.recovery().inDoubt(), "resolved once b is back");
  }

  @Test
  void recoverFailingWithRmfailIsUnreachableAndNeverEnds() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.earlierProcess("a");
    Gtrid g = gtrid(1, 2);
    rig.log.logCommitting(g, branches("a"));
    a.hold(xid(g, 1));
    a.recoverFailsWith(XAException.XAER_RMFAIL);
    rig.start();
    RecoveryReport r = rig.tm.recovery().lastReport();
    assertEquals(2, r.count(RecoveryResult.UNREACHABLE), "the scan and the branch: " + r);
    assertTrue(r.toString().contains("XAER_RMFAIL"), r.toString());
    assertEquals(0, records(new TxRecord.End(g, Outcome.COMMITTED)));
    a.recoverFailsWith(XAException.XAER_RMERR);
    assertTrue(rig.tm.recovery().runPass().toString().contains("XAER_RMERR"));
    a.recoverFailsWith(0);
    rig.tm.recovery().runPass();
    assertEquals(1, records(new TxRecord.End(g, Outcome.COMMITTED)));
  }

  /** Hazard 4 (H2): errorCode 0 + SQLException 90129 is confirmed only by a fresh recover(). */
  @Test
  void h2UnknownXidAnswerIsConfirmedThroughAFreshScan() throws Exception {
    PreparedResource a = rig.resource("a");
    a.h2Mode();
    a.keepAfterNota(); // first the Xid stays listed: not confirmed
    rig.earlierProcess("a");
    Gtrid g = gtrid(1, 2);
    rig.log.logCommitting(g, branches("a"));
    a.hold(xid(g, 1));
    rig.start();
    RecoveryReport r = rig.tm.recovery().lastReport();
    assertEquals(1, r.count(RecoveryResult.NOT_CONFIRMED), r.toString());
    assertTrue(r.toString().contains("90129"), r.toString());
    assertEquals(0, records(new TxRecord.End(g, Outcome.COMMITTED)), "errorCode 0 is not success");
    assertEquals(1, rig.tm.recovery().inDoubt().size());
    // The resource no longer lists it (it was committed): now it is confirmed.
    a.forget(xid(g, 1));
    RecoveryReport again = rig.tm.recovery().runPass();
    assertEquals(1, records(new TxRecord.End(g, Outcome.COMMITTED)), again.toString());
    assertEquals(0, rig.tm.recovery().inDoubt().size());
  }

  @Test
  void notaWhileStillListedIsNotCountedAsDone() throws Exception {
    PreparedResource a = rig.resource("a");
    a.keepAfterNota();
    rig.earlierProcess("a");
    Gtrid g = gtrid(1, 2);
    rig.log.logCommitting(g, branches("a"));
    a.hold(xid(g, 1));
    rig.start();
    RecoveryReport r = rig.tm.recovery().lastReport();
    assertTrue(r.toString().contains("XAER_NOTA"), r.toString());
    assertEquals(1, r.count(RecoveryResult.NOT_CONFIRMED));
    assertEquals(0, records(new TxRecord.End(g, Outcome.COMMITTED)));
  }

  /** Hazard 5: heuristic logged (forced) before forget, visible until cleared, across restarts. */
  @Test
  void heuristicIsLoggedBeforeForgetAndStaysUntilCleared() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.earlierProcess("a");
    Gtrid g = gtrid(1, 2);
    rig.log.logCommitting(g, branches("a"));
    a.hold(xid(g, 1));
    a.script(Op.COMMIT, XAException.XA_HEURRB);
    rig.start();
    int logged = rig.journal.indexOf("log.Heuristic");
    int forgot = rig.journal.indexOfPrefix("a.forget(");
    assertTrue(logged >= 0 && forgot > logged, rig.journal.toString());
    assertTrue(rig.log.entries().stream().anyMatch(e -> e.type().code() == 20 && e.forced()));
    assertEquals(1, rig.tm.recovery().lastReport().count(RecoveryResult.HEURISTIC));
    assertEquals(1, records(new TxRecord.End(g, Outcome.COMMITTED)), "the branch is finished");
    assertEquals(
        HeuristicOutcome.ROLLED_BACK, rig.tm.recovery().unresolvedHeuristics().get(0).outcome());

    rig.restart();
    assertEquals(1, rig.tm.recovery().unresolvedHeuristics().size(), "kept across restarts");
    assertEquals(1, rig.tm.recovery().clearHeuristic(xid(g, 1).toString()));
    assertEquals(0, rig.tm.recovery().unresolvedHeuristics().size());
    assertThrows(
        IllegalArgumentException.class,
        () -> rig.tm.recovery().clearHeuristic(xid(g, 1).toString()));
    rig.restart();
    assertEquals(0, rig.tm.recovery().unresolvedHeuristics().size(), "the clear is durable");
  }

  @Test
  void heuristicThatCannotBeLoggedIsNotForgotten() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.earlierProcess("a");
    Gtrid g = gtrid(1, 2);
    rig.log.logCommitting(g, branches("a"));
    a.hold(xid(g, 1));
    a.script(Op.COMMIT, XAException.XA_HEURMIX);
    rig.set("xatm.recovery.startup", "false").start();
    rig.log.failNextForced(new java.io.IOException("disk gone"));
    RecoveryReport r = rig.tm.recovery().runPass();
    assertEquals(1, r.count(RecoveryResult.FAILED), r.toString());
    assertEquals(0, rig.count("a.forget"));
    assertTrue(a.holds(xid(g, 1)));
  }

  /**
   * Issue 10: a Committing the log accepted but could not force is in the log's view (it may be
   * durable), while the coordinator rolled the transaction back and tripped fail-stop. Recovery in
   * this process must act on neither outcome for it (committing b would invert a's rollback): it
   * leaves the branch to the next start, which decides from what is durable.
   */
  @Test
  void afterTheLogFailedRecoveryLeavesThisProcesssTransactionsToTheNextStart() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.set("xatm.recovery.interval", "0").start();
    rig.tm.begin(); // registers both resources
    rig.tm.getTransaction().enlistResource(a);
    rig.tm.getTransaction().enlistResource(b);
    rig.tm.commit();

    rig.log.failNextForceAfterAppend(new java.io.IOException("EIO on fsync"));
    b.script(Op.ROLLBACK, XAException.XAER_RMFAIL); // b stays prepared, retried in the background
    rig.tm.begin();
    rig.tm.getTransaction().enlistResource(a);
    rig.tm.getTransaction().enlistResource(b);
    Gtrid g = (Gtrid) rig.tm.getTransactionKey();
    assertThrows(jakarta.transaction.RollbackException.class, rig.tm::commit);
    XatmXid bx = xid(g, 2);
    assertTrue(b.holds(bx), "b's rollback failed: still prepared");
    assertTrue(rig.log.view().decided(g).isPresent(), "premise: the view holds the Committing");

    RecoveryReport r = rig.tm.recovery().runPass();
    RecoveryLine l =
        r.lines().stream().filter(x -> x.xid().equals(bx.toString())).findFirst().orElseThrow();
    assertEquals(RecoveryAction.LEAVE_ALONE, l.action(), r.toString());
    assertEquals(RecoveryResult.IN_DOUBT, l.result(), r.toString());
    assertTrue(l.reason().contains("log of this process failed"), l.reason());
    assertEquals(1, b.sent("commit"), "only the first transaction's commit reached b");
    assertTrue(b.holds(bx));
  }

  /** Hazard 6: damaged log: decided ones are committed, nothing else is presumed. */
  @Test
  void damagedLogCommitsDecidedButLeavesUndecidedInDoubt() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.earlierProcess("a");
    Gtrid decided = gtrid(1, 1);
    Gtrid undecided = gtrid(1, 2);
    rig.log.logCommitting(decided, branches("a"));
    a.hold(xid(decided, 1));
    a.hold(xid(undecided, 1));
    rig.log.markOpenedDespiteDamage();
    rig.start();
    assertEquals(BranchState.COMMITTED, a.state(xid(decided, 1)));
    assertTrue(a.holds(xid(undecided, 1)), "not presumed aborted");
    assertEquals(0, a.sent("rollback"));
    InDoubtXid d = rig.tm.recovery().inDoubt().get(0);
    assertEquals(xid(undecided, 1).toString(), d.xid());
    assertEquals(RecoveryResult.IN_DOUBT, d.result());
    assertTrue(rig.tm.recovery().lastReport().unresolved());
    // The operator decides.
    RecoveryLine l = rig.tm.recovery().rollbackInDoubt(d.xid());
    assertEquals(RecoveryResult.DONE, l.result());
    assertFalse(a.holds(xid(undecided, 1)));
    assertEquals(0, rig.tm.recovery().inDoubt().size());
  }

  /**
   * Issue 10: a decided transaction whose Committing was damaged. The damaged-mode start keeps its
   * prepared branch in doubt; later checkpoints and GC remove the damaged part of the log, and the
   * next (undamaged) start must still keep it in doubt, not presume abort, until an operator
   * resolves it. Its other branch has committed: a presumed abort would break atomicity.
   */
  @Test
  void whatDamagedModeKeptInDoubtSurvivesCheckpointsAndGcUntilAnOperatorResolvesIt()
      throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.earlierProcess("a", "b");
    Gtrid g = gtrid(1, 1); // its Committing was in the damaged part: not in the log
    b.hold(xid(g, 2)); // a's branch committed before the crash; b's is still prepared
    rig.log.markOpenedDespiteDamage();
    rig.start();
    assertTrue(b.holds(xid(g, 2)), "damaged mode: not presumed aborted");
    assertEquals(1, rig.tm.recovery().inDoubt().size());

    for (int restart = 0; restart < 2; restart++) {
      rig.tm.close();
      rig.log.compactLikeACheckpoint(); // checkpoint + GC: the damaged segment is gone
      rig.crashAndRestart(); // a log without damage now
      RecoveryReport r = rig.tm.recovery().lastReport();
      assertTrue(b.holds(xid(g, 2)), "restart " + restart + ": rolled back\n" + r);
      assertEquals(0, b.sent("rollback"), r.toString());
      assertEquals(List.of(xid(g, 2).toString()), inDoubtXids(), r.toString());
      assertTrue(r.toString().contains("kept in doubt"), r.toString());
    }
    // The operator knows it committed: commit resolves it for good.
    rig.tm.recovery().commitInDoubt(xid(g, 2).toString());
    assertEquals(BranchState.COMMITTED, b.state(xid(g, 2)));
    rig.tm.recovery().runPass();
    rig.tm.close();
    rig.log.compactLikeACheckpoint();
    rig.crashAndRestart();
    assertTrue(rig.tm.recovery().inDoubt().isEmpty());
    assertTrue(rig.tm.startupLogState().keptInDoubt().isEmpty());
  }

  private List<String> inDoubtXids() {
    return rig.tm.recovery().inDoubt().stream().map(InDoubtXid::xid).toList();
  }

  /** Hazard 7: a pass that dies midway is simply repeated by the next process. */
  @Test
  void passThatCrashesMidwayConvergesOnTheNextStart() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.earlierProcess("a", "b");
    Gtrid g1 = gtrid(1, 1);
    Gtrid g2 = gtrid(1, 2);
    Gtrid aborted = gtrid(1, 3);
    rig.log.logCommitting(g1, branches("a", "b"));
    rig.log.logCommitting(g2, branches("a", "b"));
    for (Gtrid g : new Gtrid[] {g1, g2}) {
      a.hold(xid(g, 1));
      b.hold(xid(g, 2));
    }
    b.hold(xid(aborted, 2));
    b.crashOnCommitOf(xid(g2, 2)); // a committed both, b committed g1, then the process dies
    assertThrows(PreparedResource.SimulatedCrash.class, rig::start);
    assertEquals(BranchState.COMMITTED, a.state(xid(g2, 1)));
    assertTrue(b.holds(xid(g2, 2)));
    b.crashOnCommitOf(null);
    rig.log.reopen();
    rig.failpoints = new dev.xatm.tm.Failpoints();
    rig.start();
    assertFalse(
        rig.tm.recovery().lastReport().unresolved(), rig.tm.recovery().lastReport().toString());
    assertTrue(a.held().isEmpty() && b.held().isEmpty());
    assertEquals(BranchState.COMMITTED, b.state(xid(g2, 2)));
    assertEquals(BranchState.ROLLED_BACK, b.state(xid(aborted, 2)));
    assertEquals(1, records(new TxRecord.End(g1, Outcome.COMMITTED)));
    assertEquals(1, records(new TxRecord.End(g2, Outcome.COMMITTED)));
    assertEquals(0, a.sent("rollback"), "I3");
    assertEquals(1, b.sent("rollback"), "only the aborted one is rolled back");
  }

  /**
   * Review of issue 10, item 8: keeping an Xid in doubt must not copy the log's whole state (under
   * the append lock, which stalls every append including Committing) per Xid: with thousands in
   * doubt that is thousands of copies. It used to call TxLog#current() once per kept Xid.
   */
  @Test
  void keepingManyXidsInDoubtDoesNotCopyTheLogStatePerXid() throws Exception {
    try (Rig rig = new Rig()) {
      PreparedResource a = rig.resource("a");
      rig.earlierProcess("a");
      for (int i = 1; i <= 50; i++) {
        a.hold(xid(gtrid(1, i), 1));
      }
      java.util.concurrent.atomic.AtomicInteger copies =
          new java.util.concurrent.atomic.AtomicInteger();
      rig.wrapLog =
          l ->
              (dev.xatm.tm.log.TxLog)
                  java.lang.reflect.Proxy.newProxyInstance(
                      dev.xatm.tm.log.TxLog.class.getClassLoader(),
                      new Class<?>[] {dev.xatm.tm.log.TxLog.class},
                      (proxy, m, args) -> {
                        if (m.getName().equals("current")) {
                          copies.incrementAndGet();
                        }
                        try {
                          return m.invoke(l, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                          throw e.getCause();
                        }
                      });
      rig.log.markOpenedDespiteDamage();
      rig.start();
      assertEquals(50, rig.tm.recovery().inDoubt().size());
      int afterStart = copies.get();
      assertTrue(afterStart < 10, afterStart + " copies of the log state for 50 kept Xids");
      // and a later pass still knows they are kept (no second KeptInDoubt each)
      long kept = rig.log.records().stream().filter(TxRecord.KeptInDoubt.class::isInstance).count();
      rig.tm.recovery().runPass();
      assertEquals(
          kept, rig.log.records().stream().filter(TxRecord.KeptInDoubt.class::isInstance).count());
      assertEquals(50, kept);
    }
  }

  /**
   * Review of issue 10, item 4: a resource down during the damaged-mode run gets no KeptInDoubt for
   * its prepared branch (nobody saw it). Once checkpoint and GC removed the damage, the next strict
   * start used to presume abort for it. The damaged start's DamageAccepted record, carried by every
   * checkpoint, keeps every earlier epoch from presumed abort until an operator clears it.
   */
  @Test
  void aResourceDownDuringTheDamagedRunIsNotPresumedAbortedAfterGc() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.earlierProcess("a", "b");
    Gtrid g = gtrid(1, 1); // its Committing was in the damaged part
    b.hold(xid(g, 2));
    rig.log.markOpenedDespiteDamage();
    rig.connector.down("b", true);
    rig.start();
    long damagedEpoch = rig.tm.epoch();
    assertEquals(1, rig.tm.recovery().acceptedDamage().size());
    rig.tm.close();
    rig.log.compactLikeACheckpoint(); // checkpoint + GC: the damaged segment is gone
    rig.connector.down("b", false);
    rig.crashAndRestart(); // a strict start on a log without damage
    RecoveryReport r = rig.tm.recovery().lastReport();
    assertTrue(b.holds(xid(g, 2)), "presumed aborted after GC:\n" + r);
    assertEquals(0, b.sent("rollback"), r.toString());
    assertTrue(r.toString().contains("DAMAGE ACCEPTED"), r.toString());
    assertEquals(List.of(damagedEpoch), List.copyOf(rig.tm.recovery().acceptedDamage().keySet()));

    // The operator resolves it by hand, then clears the damage: presumed abort applies again.
    rig.tm.recovery().rollbackInDoubt(xid(g, 2).toString());
    assertEquals(1, rig.tm.recovery().clearAcceptedDamage(damagedEpoch));
    assertTrue(rig.tm.recovery().acceptedDamage().isEmpty());
    Gtrid later = gtrid(1, 2); // another unrecorded branch of epoch 1: presumed abort again
    a.hold(xid(later, 1));
    rig.tm.recovery().runPass();
    assertFalse(a.holds(xid(later, 1)));
  }
}
