package dev.xatm.tm;

import static dev.xatm.tm.testing.FakeXAResource.BranchState.COMMITTED;
import static dev.xatm.tm.testing.FakeXAResource.BranchState.FORGOTTEN;
import static dev.xatm.tm.testing.FakeXAResource.BranchState.PREPARED;
import static dev.xatm.tm.testing.FakeXAResource.BranchState.ROLLED_BACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.log.HeuristicOutcome;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.FakeXAResource.Op;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TwoPhaseCommitTest {
  private final TestTm t = new TestTm();
  private final XatmTransactionManager tm = t.tm;

  @AfterEach
  void close() throws Exception {
    t.close();
  }

  private Xid enlist(FakeXAResource... rs) throws Exception {
    Xid last = null;
    for (FakeXAResource r : rs) {
      tm.getTransaction().enlistResource(r);
    }
    return last;
  }

  private List<Class<?>> txRecords() {
    return t.log.records().stream()
        .filter(r -> !(r instanceof TxRecord.EpochStarted))
        .<Class<?>>map(Object::getClass)
        .toList();
  }

  private Gtrid gtrid() {
    return (Gtrid) tm.getTransactionKey();
  }

  @Test
  void oneResourceCommitsInOnePhaseWithoutAnyRecord() throws Exception {
    FakeXAResource a = t.resource("a");
    tm.begin();
    enlist(a);
    Gtrid g = gtrid();
    tm.commit();
    assertEquals(COMMITTED, a.state(new XatmXid(g, 1)));
    assertEquals(1, t.journal.count("a.one_phase_commit"));
    assertEquals(0, t.journal.count("a.prepare"));
    assertEquals(List.of(), txRecords());
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
  }

  @Test
  void twoResourcesWriteRegisteredBeginCommittingEndWithCommittingBeforeAnyCommit()
      throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b");
    tm.begin();
    enlist(a, b);
    Gtrid g = gtrid();
    tm.commit();
    assertEquals(COMMITTED, a.state(new XatmXid(g, 1)));
    assertEquals(COMMITTED, b.state(new XatmXid(g, 2)));
    assertEquals(
        List.of(
            TxRecord.ResourceRegistered.class,
            TxRecord.ResourceRegistered.class,
            TxRecord.Begin.class,
            TxRecord.Committing.class,
            TxRecord.End.class),
        txRecords());
    int committing = t.journal.indexOf("log.Committing");
    assertTrue(committing > t.journal.indexOfPrefix("a.prepare"), t.journal.toString());
    assertTrue(committing > t.journal.indexOfPrefix("b.prepare"), t.journal.toString());
    assertTrue(committing < t.journal.indexOfPrefix("a.commit"), t.journal.toString());
    assertTrue(committing < t.journal.indexOfPrefix("b.commit"), t.journal.toString());
    assertTrue(t.journal.indexOf("log.End") > t.journal.indexOfPrefix("b.commit"));
    assertTrue(t.journal.indexOf("log.ResourceRegistered") < t.journal.indexOfPrefix("a.prepare"));
    TxRecord.Committing c =
        (TxRecord.Committing)
            t.log.records().stream()
                .filter(r -> r instanceof TxRecord.Committing)
                .findFirst()
                .orElseThrow();
    assertEquals(g, c.gtrid());
    assertEquals("a", c.branches().get(0).resourceId());
    assertEquals("b", c.branches().get(1).resourceId());
    assertTrue(tm.startupLogState().decided().isEmpty());
    assertTrue(t.log.replay().decided().isEmpty(), "End closes the transaction");
  }

  @Test
  void resourcesAreRegisteredOncePerResourceNotPerTransaction() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b");
    for (int i = 0; i < 3; i++) {
      tm.begin();
      enlist(a, b);
      tm.commit();
    }
    assertEquals(2, t.journal.count("log.ResourceRegistered"));
    assertEquals(3, t.journal.count("log.Committing"));
  }

  @Test
  void unidentifiedResourcesAreLoggedWithoutResourceId() throws Exception {
    FakeXAResource a = new FakeXAResource("a", t.journal, false);
    FakeXAResource b = t.resource("b");
    tm.begin();
    enlist(a, b);
    tm.commit();
    assertEquals(1, t.journal.count("log.ResourceRegistered"));
    TxRecord.Committing c =
        (TxRecord.Committing)
            t.log.records().stream()
                .filter(r -> r instanceof TxRecord.Committing)
                .findFirst()
                .orElseThrow();
    assertEquals(null, c.branches().get(0).resourceId());
  }

  @Test
  void readOnlyVoterLeavesPhaseTwo() throws Exception {
    FakeXAResource a = t.resource("a").voteReadOnly();
    FakeXAResource b = t.resource("b");
    tm.begin();
    enlist(a, b);
    tm.commit();
    assertEquals(0, t.journal.count("a.commit"));
    assertEquals(1, t.journal.count("b.commit"));
    TxRecord.Committing c =
        (TxRecord.Committing)
            t.log.records().stream()
                .filter(r -> r instanceof TxRecord.Committing)
                .findFirst()
                .orElseThrow();
    assertEquals(1, c.branches().size(), "only the prepared branch is in the decision");
  }

  @Test
  void allReadOnlyWritesNoCommitting() throws Exception {
    FakeXAResource a = t.resource("a").voteReadOnly();
    FakeXAResource b = t.resource("b").voteReadOnly();
    tm.begin();
    enlist(a, b);
    tm.commit();
    assertEquals(0, t.journal.count("log.Committing"));
    assertEquals(0, t.journal.count("a.commit") + t.journal.count("b.commit"));
    assertEquals(1, t.journal.count("log.End"));
  }

  @Test
  void rollbackVoteRollsBackEveryOtherBranchWithoutCommitting() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b").script(Op.PREPARE, XAException.XA_RBDEADLOCK);
    FakeXAResource c = t.resource("c");
    tm.begin();
    enlist(a, b, c);
    Gtrid g = gtrid();
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertInstanceOf(XAException.class, e.getCause());
    assertEquals(ROLLED_BACK, a.state(new XatmXid(g, 1)));
    assertEquals(ROLLED_BACK, b.state(new XatmXid(g, 2)));
    assertEquals(ROLLED_BACK, c.state(new XatmXid(g, 3)));
    assertEquals(0, t.journal.count("b.rollback"), "a branch that voted rollback is done");
    assertEquals(0, t.journal.count("log.Committing"));
    assertEquals(1, t.journal.count("log.End"));
    assertTrue(t.log.replay().begunOnly().isEmpty());
  }

  @Test
  void prepareFailureRollsBackPreparedAndFailedBranches() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b").script(Op.PREPARE, XAException.XAER_RMFAIL);
    tm.begin();
    enlist(a, b);
    Gtrid g = gtrid();
    assertThrows(RollbackException.class, tm::commit);
    assertEquals(ROLLED_BACK, a.state(new XatmXid(g, 1)));
    assertEquals(1, t.journal.count("b.rollback"), "a branch without a vote is rolled back");
    assertEquals(0, t.journal.count("log.Committing"));
  }

  @Test
  void prepareRunsInParallelOnTheExecutor() throws Exception {
    CountDownLatch aEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch bEntered = new CountDownLatch(1);
    FakeXAResource a = t.resource("a").hang(Op.PREPARE, aEntered, release);
    FakeXAResource b = t.resource("b").hang(Op.PREPARE, bEntered, release);
    tm.begin();
    enlist(a, b);
    var tx = tm.suspend();
    CompletableFuture<Void> commit =
        CompletableFuture.runAsync(
            () -> {
              try {
                tx.commit();
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    assertTrue(aEntered.await(10, TimeUnit.SECONDS), "first prepare started");
    assertTrue(bEntered.await(10, TimeUnit.SECONDS), "second prepare started while first hangs");
    release.countDown();
    commit.get(10, TimeUnit.SECONDS);
    assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
  }

  @Test
  void commitFailureAfterDecisionReturnsNormallyAndRetriesInBackgroundThenEnd() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b =
        t.resource("b").script(Op.COMMIT, XAException.XAER_RMFAIL, XAException.XA_RETRY);
    tm.begin();
    enlist(a, b);
    Gtrid g = gtrid();
    tm.commit();
    assertEquals(PREPARED, b.state(new XatmXid(g, 2)));
    assertEquals(0, t.journal.count("log.End"), "End only when every branch is confirmed");
    assertEquals(1, tm.pendingRetries());
    assertEquals(Outcome.COMMITTED, t.log.replay().loggedOutcome(g).orElseThrow());
    assertEquals(1, t.log.replay().decided().size());

    t.scheduler.advanceAndRun(Duration.ofMillis(100)); // second attempt: XA_RETRY
    assertEquals(0, t.journal.count("log.End"));
    t.scheduler.advanceAndRun(Duration.ofMillis(100));
    assertEquals(0, t.journal.count("log.End"), "backoff doubled to 200 ms");
    t.scheduler.advanceAndRun(Duration.ofMillis(100));
    assertEquals(COMMITTED, b.state(new XatmXid(g, 2)));
    assertEquals(1, t.journal.count("log.End"));
    assertEquals(0, tm.pendingRetries());
    assertTrue(t.log.replay().decided().isEmpty());
  }

  @Test
  void notaOnARepeatedCommitCountsAsCommitted() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b =
        t.resource("b").script(Op.COMMIT, XAException.XAER_RMFAIL, XAException.XAER_NOTA);
    tm.begin();
    enlist(a, b);
    tm.commit();
    t.scheduler.advanceAndRun(Duration.ofMillis(100));
    assertEquals(1, t.journal.count("log.End"));
  }

  @Test
  void heuristicRollbackOfEveryBranchIsLoggedForgottenAndReported() throws Exception {
    FakeXAResource a = t.resource("a").script(Op.COMMIT, XAException.XA_HEURRB);
    FakeXAResource b = t.resource("b").script(Op.COMMIT, XAException.XA_HEURRB);
    tm.begin();
    enlist(a, b);
    Gtrid g = gtrid();
    assertThrows(HeuristicRollbackException.class, tm::commit);
    assertEquals(FORGOTTEN, a.state(new XatmXid(g, 1)));
    assertEquals(2, t.journal.count("log.Heuristic"));
    assertTrue(
        t.journal.indexOf("log.Heuristic") < t.journal.indexOfPrefix("a.forget")
            || t.journal.indexOf("log.Heuristic") < t.journal.indexOfPrefix("b.forget"));
    assertEquals(2, t.log.replay().heuristics().size());
    assertEquals(HeuristicOutcome.ROLLED_BACK, t.log.replay().heuristics().get(0).outcome());
    assertEquals(1, t.journal.count("log.End"));
  }

  @Test
  void heuristicOnOneBranchOnlyIsMixed() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b").script(Op.COMMIT, XAException.XA_HEURRB);
    tm.begin();
    enlist(a, b);
    assertThrows(HeuristicMixedException.class, tm::commit);
  }

  @Test
  void heuristicMixedAndHazardAreMixed() throws Exception {
    for (int code : new int[] {XAException.XA_HEURMIX, XAException.XA_HEURHAZ}) {
      FakeXAResource a = t.resource("a");
      FakeXAResource b = t.resource("b").script(Op.COMMIT, code);
      tm.begin();
      enlist(a, b);
      Gtrid g = gtrid();
      assertThrows(HeuristicMixedException.class, tm::commit);
      assertEquals(FORGOTTEN, b.state(new XatmXid(g, 2)));
    }
  }

  @Test
  void heuristicCommitAtCommitIsSilentButLogged() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b").script(Op.COMMIT, XAException.XA_HEURCOM);
    tm.begin();
    enlist(a, b);
    tm.commit();
    assertEquals(1, t.journal.count("log.Heuristic"));
    assertEquals(1, t.journal.count("b.forget"));
  }

  @Test
  void onePhaseOutcomes() throws Exception {
    Object[][] cases = {
      {XAException.XA_RBROLLBACK, RollbackException.class},
      {XAException.XAER_RMERR, RollbackException.class},
      {XAException.XAER_NOTA, RollbackException.class},
      {XAException.XAER_PROTO, RollbackException.class},
      {XAException.XA_RETRY, RollbackException.class},
      {XAException.XA_HEURRB, HeuristicRollbackException.class},
      {XAException.XA_HEURMIX, HeuristicMixedException.class},
      {XAException.XA_HEURHAZ, HeuristicMixedException.class},
      {XAException.XAER_RMFAIL, HeuristicMixedException.class},
      {XAException.XA_HEURCOM, null},
    };
    for (Object[] c : cases) {
      int code = (Integer) c[0];
      FakeXAResource a = t.resource("one-" + code).script(Op.ONE_PHASE_COMMIT, code);
      tm.begin();
      enlist(a);
      Gtrid g = gtrid();
      if (c[1] == null) {
        tm.commit();
      } else {
        @SuppressWarnings("unchecked")
        Class<? extends Throwable> expected = (Class<? extends Throwable>) c[1];
        Throwable e = assertThrows(expected, tm::commit, "code " + code);
        assertInstanceOf(XAException.class, e.getCause());
      }
      assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
      boolean needsRollback = code == XAException.XAER_PROTO || code == XAException.XA_RETRY;
      assertEquals(
          needsRollback ? ROLLED_BACK : a.state(new XatmXid(g, 1)), a.state(new XatmXid(g, 1)));
      assertEquals(
          needsRollback ? 1 : 0, t.journal.count("one-" + code + ".rollback"), "code " + code);
    }
    assertFalse(t.journal.count("log.Committing") > 0, "one-phase never writes Committing");
  }
}
