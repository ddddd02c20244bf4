package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Transaction;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * enlistResource/delistResource with every flag: start(TMNOFLAGS) on the first enlistment,
 * end(TMSUCCESS/TMFAIL/TMSUSPEND) on delist, TMJOIN/TMRESUME on re-enlistment, TMJOIN for another
 * object of the same RM (isSameRM), no TMJOIN for a resource that cannot (pgjdbc), enlistment
 * refused when rollback-only (RollbackException) or completed (IllegalStateException), and start
 * failures.
 */
class EnlistmentCases extends CaseBase {

  @Conformance
  void enlistStartsABranchWithNoFlags(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    assertTrue(t.tm().getTransaction().enlistResource(a));
    assertEquals(List.of("start(x1,TMNOFLAGS)"), log.of("a"));
    assertEquals(ScriptedXAResource.BranchState.ACTIVE, a.state("x1"));
    t.tm().rollback();
  }

  @Conformance
  void enlistingTheSameActiveResourceTwiceSendsNothing(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    assertTrue(tx.enlistResource(a));
    assertTrue(tx.enlistResource(a));
    t.tm().commit();
    assertEquals(
        List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "commit(x1,1pc)"), log.of("a"));
  }

  @Conformance
  void delistWithSuccessThenReenlistJoinsTheBranch(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    assertTrue(tx.delistResource(a, XAResource.TMSUCCESS));
    assertTrue(tx.enlistResource(a));
    t.tm().commit();
    assertEquals(
        List.of(
            "start(x1,TMNOFLAGS)",
            "end(x1,TMSUCCESS)",
            "start(x1,TMJOIN)",
            "end(x1,TMSUCCESS)",
            "commit(x1,1pc)"),
        log.of("a"));
  }

  @Conformance
  void delistWithSuspendThenReenlistResumesTheBranch(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    assertTrue(tx.delistResource(a, XAResource.TMSUSPEND));
    assertEquals(ScriptedXAResource.BranchState.SUSPENDED, a.state("x1"));
    assertTrue(tx.enlistResource(a));
    t.tm().commit();
    assertEquals(
        List.of(
            "start(x1,TMNOFLAGS)",
            "end(x1,TMSUSPEND)",
            "start(x1,TMRESUME)",
            "end(x1,TMSUCCESS)",
            "commit(x1,1pc)"),
        log.of("a"));
  }

  @Conformance
  void suspendedAndNeverResumedBranchIsEndedAtCommit(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    tx.delistResource(a, XAResource.TMSUSPEND);
    t.tm().commit();
    assertEquals(
        List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUSPEND)", "end(x1,TMSUCCESS)", "commit(x1,1pc)"),
        log.of("a"));
  }

  @Conformance
  @Divergence(
      what = "the status right after delistResource(TMFAIL)",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "TMFAIL says the work failed; xatm marks the transaction rollback-only at once (the"
              + " application sees it in getStatus and TSR.getRollbackOnly), Narayana leaves it"
              + " ACTIVE, still prepares the failed branch and rolls back on its rollback vote."
              + " Both end in RollbackException")
  void delistWithFailRollsBack(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    tx.enlistResource(b);
    assertTrue(tx.delistResource(a, XAResource.TMFAIL));
    String status = Statuses.name(tx.getStatus());
    String commit =
        outcome(
            () -> {
              t.tm().commit();
              return null;
            });
    assertEquals(
        (t.is(Column.XATM) ? "MARKED_ROLLBACK" : "ACTIVE") + " RollbackException",
        status + " " + commit);
    assertEquals(
        t.is(Column.XATM)
            ? List.of("start(x1,TMNOFLAGS)", "end(x1,TMFAIL)", "rollback(x1)")
            : List.of("start(x1,TMNOFLAGS)", "end(x1,TMFAIL)", "prepare(x1)"),
        log.of("a"));
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, b.state("x2"));
  }

  @Conformance
  void delistOfAResourceThatIsNotEnlisted(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    String r = outcome(() -> tx.delistResource(a, XAResource.TMSUCCESS));
    String status = Statuses.name(tx.getStatus());
    t.tm().rollback();
    assertEquals("returned false ACTIVE", r + " " + status);
    assertEquals(List.of(), log.of("a"));
  }

  @Conformance
  void enlistAfterSetRollbackOnlyThrowsRollbackException(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.setRollbackOnly();
    assertThrows(RollbackException.class, () -> tx.enlistResource(a));
    t.tm().rollback();
    assertEquals(List.of(), log.of("a"), "nothing is started");
  }

  @Conformance
  void enlistOnACompletedTransactionThrowsIllegalState(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    t.tm().commit();
    assertThrows(IllegalStateException.class, () -> tx.enlistResource(a));
    assertThrows(IllegalStateException.class, () -> tx.delistResource(a, XAResource.TMSUCCESS));
    assertEquals(List.of(), log.of("a"));
  }

  @Conformance
  void enlistInBeforeCompletionIsPartOfTheTransaction(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource late = resource("late");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    tx.registerSynchronization(
        sync("flush")
            .inBefore(
                () -> {
                  tx.enlistResource(late);
                  tx.delistResource(late, XAResource.TMSUCCESS);
                }));
    t.tm().commit();
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, a.state("x1"));
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, late.state("x2"));
    assertEquals(
        List.of("start(x2,TMNOFLAGS)", "end(x2,TMSUCCESS)", "prepare(x2)", "commit(x2)"),
        log.of("late"));
  }

  @Conformance
  void anotherObjectOfTheSameRmJoinsTheFirstBranch(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a1 = resource("a1");
    ScriptedXAResource a2 = track(a1.sameRm("a2"));
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a1);
    tx.enlistResource(a2);
    t.tm().commit();
    assertEquals(List.of("start(x1,TMJOIN)", "end(x1,TMSUCCESS)"), log.of("a2"));
    List<String> first = log.of("a1");
    assertEquals(List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)"), first.subList(0, 2));
    assertEquals("commit(x1,1pc)", first.get(first.size() - 1), "one branch: one-phase");
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, a1.state("x1"));
  }

  @Conformance
  void twoPgjdbcConnectionsToOneDatabaseAreTwoBranches(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource p1 = pgjdbcLike("p1");
    ScriptedXAResource p2 = track(p1.sameRm("p2"));
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(p1);
    tx.enlistResource(p2);
    t.tm().commit();
    assertEquals(
        List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "prepare(x1)", "commit(x1)"),
        log.of("p1"));
    assertEquals(
        List.of("start(x2,TMNOFLAGS)", "end(x2,TMSUCCESS)", "prepare(x2)", "commit(x2)"),
        log.of("p2"));
  }

  @Conformance
  void pgjdbcRejoinAfterDelistUsesTheSameConnection(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource p = pgjdbcLike("p");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(p);
    tx.delistResource(p, XAResource.TMSUCCESS);
    tx.enlistResource(p); // pgjdbc accepts TMJOIN for the branch it just ended
    t.tm().commit();
    assertEquals(
        List.of(
            "start(x1,TMNOFLAGS)",
            "end(x1,TMSUCCESS)",
            "start(x1,TMJOIN)",
            "end(x1,TMSUCCESS)",
            "commit(x1,1pc)"),
        log.of("p"));
  }

  @Conformance
  @Divergence(
      what = "enlistResource when start answers XA_RBROLLBACK",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "both mark the transaction rollback-only; xatm throws RollbackException (the Javadoc's"
              + " exception for a rollback-only transaction, so the caller stops at once),"
              + " Narayana returns false")
  void startFailingWithRollbackCodeRefusesTheEnlistment(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a =
        resource("a").failNext(ScriptedXAResource.Op.START, XAException.XA_RBROLLBACK);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    String r = outcome(() -> tx.enlistResource(a));
    String status = Statuses.name(tx.getStatus());
    t.tm().rollback();
    assertEquals(
        (t.is(Column.XATM) ? "RollbackException" : "returned false") + " MARKED_ROLLBACK",
        r + " " + status);
    assertEquals(List.of("start(x1,TMNOFLAGS)"), log.of("a"));
  }

  @Conformance
  @Divergence(
      what = "enlistResource when start answers XAER_RMERR",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "xatm throws SystemException and the transaction stays usable without that resource;"
              + " Narayana retries start once with a new branch Xid and enlists the resource"
              + " (true). Both commit the rest")
  void startFailingWithAnRmError(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a =
        resource("a").failNext(ScriptedXAResource.Op.START, XAException.XAER_RMERR);
    ScriptedXAResource b = resource("b");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    String r = outcome(() -> tx.enlistResource(a));
    tx.enlistResource(b);
    String status = Statuses.name(tx.getStatus());
    t.tm().commit();
    if (t.is(Column.XATM)) {
      assertEquals("SystemException ACTIVE", r + " " + status);
      assertEquals(List.of("start(x1,TMNOFLAGS)"), log.of("a"));
      assertEquals(
          List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "commit(x1,1pc)"), log.of("b"));
    } else {
      assertEquals("returned true ACTIVE", r + " " + status);
      assertEquals(
          List.of(
              "start(x1,TMNOFLAGS)",
              "start(x2,TMNOFLAGS)",
              "end(x2,TMSUCCESS)",
              "prepare(x2)",
              "commit(x2)"),
          log.of("a"));
      assertEquals(ScriptedXAResource.BranchState.COMMITTED, b.state("x3"));
    }
  }

  @Conformance
  @Divergence(
      what = "delistResource with a flag other than TMSUCCESS, TMFAIL, TMSUSPEND",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "the Javadoc allows only those three and names no exception; xatm throws"
              + " IllegalArgumentException (a programming error), Narayana returns true and sends"
              + " nothing")
  void delistWithAFlagOtherThanSuccessFailOrSuspend(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    String r = outcome(() -> tx.delistResource(a, XAResource.TMJOIN));
    String status = Statuses.name(tx.getStatus());
    t.tm().rollback();
    assertEquals(
        (t.is(Column.XATM) ? "IllegalArgumentException" : "returned true") + " ACTIVE",
        r + " " + status);
    assertEquals(List.of("start(x1,TMNOFLAGS)", "end(x1,TMFAIL)", "rollback(x1)"), log.of("a"));
  }

  @Conformance
  @Divergence(
      what = "isSameRM answers true but start(TMJOIN) fails with XAER_RMERR",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "xatm falls back to a separate branch (start TMNOFLAGS with a new branch qualifier, a"
              + " loosely coupled branch of the same RM) and commits both in two phases;"
              + " Narayana returns false from enlistResource and the transaction rolls back at"
              + " commit (RollbackException)")
  void sameRmWhoseJoinFails(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a1 = resource("a1");
    ScriptedXAResource a2 =
        track(a1.sameRm("a2")).failNext(ScriptedXAResource.Op.START, XAException.XAER_RMERR);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a1);
    String r = outcome(() -> tx.enlistResource(a2));
    String commit =
        outcome(
            () -> {
              t.tm().commit();
              return null;
            });
    if (t.is(Column.XATM)) {
      assertEquals("returned true returned null", r + " " + commit);
      assertEquals(
          List.of(
              "start(x1,TMJOIN)",
              "start(x2,TMNOFLAGS)",
              "end(x2,TMSUCCESS)",
              "prepare(x2)",
              "commit(x2)"),
          log.of("a2"));
      assertEquals(ScriptedXAResource.BranchState.COMMITTED, a1.state("x1"));
    } else {
      assertEquals("returned false RollbackException", r + " " + commit);
      assertEquals(List.of("start(x1,TMJOIN)"), log.of("a2"));
      assertEquals(List.of("start(x1,TMNOFLAGS)", "end(x1,TMFAIL)", "rollback(x1)"), log.of("a1"));
    }
  }
}
