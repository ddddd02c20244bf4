package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import java.util.List;
import javax.transaction.xa.XAResource;

/**
 * Thread association, suspend and resume: a transaction is associated with the thread that began or
 * resumed it only; suspend returns null without a transaction and disassociates; resume
 * re-associates (on any thread), refuses an invalid transaction (InvalidTransactionException) and a
 * thread that already has one (IllegalStateException); the XA flags each TM sends around suspend
 * and resume are recorded and compared.
 */
class AssociationCases extends CaseBase {

  @Conformance
  void aTransactionIsAssociatedWithItsThreadOnly(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Object there =
        onOtherThread(
            () -> Statuses.name(t.tm().getStatus()) + "/" + (t.tm().getTransaction() == null));
    assertEquals("NO_TRANSACTION/true", there);
    assertEquals(Status.STATUS_ACTIVE, t.tm().getStatus());
    t.tm().rollback();
  }

  @Conformance
  void anotherThreadMayBeginItsOwnTransaction(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Object otherKey =
        onOtherThread(
            () -> {
              t.tm().begin();
              Object k = t.tsr().getTransactionKey();
              t.tm().commit();
              return k;
            });
    assertEquals(false, otherKey.equals(t.tsr().getTransactionKey()));
    t.tm().rollback();
  }

  @Conformance
  void suspendWithoutATransactionReturnsNull(Column c) throws Exception {
    TmUnderTest t = open(c);
    assertNull(t.tm().suspend());
  }

  @Conformance
  void suspendDisassociatesAndResumeReassociates(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    Transaction suspended = t.tm().suspend();
    assertEquals(tx, suspended);
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    assertNull(t.tm().getTransaction());
    assertEquals(Status.STATUS_ACTIVE, suspended.getStatus(), "suspended, not completed");
    t.tm().begin(); // the thread is free for another transaction
    t.tm().commit();
    t.tm().resume(suspended);
    assertEquals(tx, t.tm().getTransaction());
    assertEquals(Status.STATUS_ACTIVE, t.tm().getStatus());
    t.tm().commit();
  }

  @Conformance
  void resumeWhileAssociatedThrowsIllegalState(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction first = t.tm().suspend();
    t.tm().begin();
    Transaction second = t.tm().getTransaction();
    assertThrows(IllegalStateException.class, () -> t.tm().resume(first));
    assertEquals(second, t.tm().getTransaction(), "the thread keeps its transaction");
    t.tm().rollback();
    t.tm().resume(first);
    t.tm().rollback();
  }

  @Conformance
  @Divergence(
      what = "resume of a completed transaction",
      follows = Divergence.Spec.XATM,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "a completed transaction is an invalid one for resume (InvalidTransactionException);"
              + " xatm refuses it, Narayana associates the thread with the completed transaction")
  void resumeOfACompletedTransaction(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    t.tm().commit();
    if (t.is(Column.XATM)) {
      assertThrows(InvalidTransactionException.class, () -> t.tm().resume(tx));
      assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    } else {
      t.tm().resume(tx);
      assertEquals(Status.STATUS_COMMITTED, t.tm().getStatus());
      assertEquals(tx, t.tm().suspend());
    }
  }

  @Conformance
  void resumeOfAForeignTransactionObjectThrowsInvalidTransaction(Column c) throws Exception {
    TmUnderTest t = open(c);
    assertThrows(InvalidTransactionException.class, () -> t.tm().resume(new ForeignTransaction()));
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
  }

  @Conformance
  @Divergence(
      what = "resume(null)",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "null is not a transaction; xatm refuses it with InvalidTransactionException (a caller"
              + " resuming null has lost its transaction), Narayana accepts it and leaves the thread"
              + " without a transaction")
  void resumeOfNull(Column c) throws Exception {
    TmUnderTest t = open(c);
    if (t.is(Column.XATM)) {
      assertThrows(InvalidTransactionException.class, () -> t.tm().resume(null));
    } else {
      t.tm().resume(null);
    }
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
  }

  @Conformance
  void suspendOnOneThreadResumeAndCommitOnAnother(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().getTransaction().enlistResource(b);
    Transaction tx = t.tm().suspend();
    onOtherThread(
        () -> {
          t.tm().resume(tx);
          t.tm().commit();
          return null;
        });
    assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, a.state("x1"));
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, b.state("x2"));
  }

  @Conformance
  @Divergence(
      what = "the XA flags sent on suspend/resume of a transaction with an enlisted resource",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "JTA 2.0 section 3.2.3 puts delisting on the application server ('the application"
              + " server must ensure that the resources in use by the application are no longer"
              + " registered with the suspended transaction'), not on TransactionManager.suspend;"
              + " xatm's suspend ends each active association with TMSUSPEND itself and resume"
              + " starts it with TMRESUME (there is often no application server around xatm, e.g."
              + " Spring with the jdbc:xa: driver); Narayana leaves the branch associated and"
              + " sends nothing. Issue 9 kept TMSUSPEND for resources that support it")
  void suspendAndResumeWithASuspendCapableResource(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    Transaction tx = t.tm().suspend();
    List<String> whileSuspended = log.of("a");
    t.tm().resume(tx);
    t.tm().commit();
    if (t.is(Column.XATM)) {
      assertEquals(List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUSPEND)"), whileSuspended);
      assertEquals(
          List.of(
              "start(x1,TMNOFLAGS)",
              "end(x1,TMSUSPEND)",
              "start(x1,TMRESUME)",
              "end(x1,TMSUCCESS)",
              "commit(x1,1pc)"),
          log.of("a"));
    } else {
      assertEquals(List.of("start(x1,TMNOFLAGS)"), whileSuspended);
      assertEquals(
          List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "commit(x1,1pc)"), log.of("a"));
    }
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, a.state("x1"));
  }

  @Conformance
  @Divergence(
      what =
          "suspend/resume with a resource that cannot TMSUSPEND (pgjdbc, MariaDB): what the"
              + " resource is sent",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "both commit the outer transaction with its branch. xatm asks the resource to suspend"
              + " (TMSUSPEND, used where a resource supports it) and, when it answers"
              + " XAER_RMERR/INVAL/PROTO (codes that leave the branch as it was), keeps the branch"
              + " associated until resume and sends nothing then; Narayana never sends TMSUSPEND"
              + " from TransactionManager.suspend (JTA 3.2.3 leaves delisting to the application"
              + " server). The jdbc:xa: driver answers TMSUSPEND itself, so PostgreSQL and MariaDB"
              + " never see it")
  void suspendAndResumeWithAPgjdbcLikeResource(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource pg = pgjdbcLike("pg");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(pg);
    Transaction tx = t.tm().suspend();
    t.tm().resume(tx);
    assertEquals(Status.STATUS_ACTIVE, t.tm().getStatus(), "suspend must not harm the outer");
    t.tm().commit();
    assertEquals(
        t.is(Column.XATM)
            ? List.of(
                "start(x1,TMNOFLAGS)", "end(x1,TMSUSPEND)", "end(x1,TMSUCCESS)", "commit(x1,1pc)")
            : List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "commit(x1,1pc)"),
        log.of("pg"));
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, pg.state("x1"));
  }

  @Conformance
  void suspendAfterDelistSendsNothing(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource pg = pgjdbcLike("pg");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(pg);
    t.tm().getTransaction().delistResource(pg, XAResource.TMSUCCESS);
    Transaction tx = t.tm().suspend();
    t.tm().resume(tx);
    t.tm().commit();
    assertEquals(
        List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "commit(x1,1pc)"), log.of("pg"));
  }

  @Conformance
  void innerTransactionWhileSuspendedIsIndependent(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource outer = resource("outer");
    ScriptedXAResource inner = resource("inner");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(outer);
    t.tm().getTransaction().delistResource(outer, XAResource.TMSUCCESS);
    Transaction tx = t.tm().suspend();
    t.tm().begin();
    t.tm().getTransaction().enlistResource(inner);
    t.tm().rollback();
    t.tm().resume(tx);
    t.tm().commit();
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, outer.state("x1"));
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, inner.state("x2"));
  }

  @Conformance
  void nestedSuspendsResumeInReverseOrderAndEachCompletesOnItsOwn(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource r1 = resource("r1");
    ScriptedXAResource r2 = resource("r2");
    ScriptedXAResource r3 = resource("r3");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(r1);
    t.tm().getTransaction().delistResource(r1, XAResource.TMSUCCESS);
    Transaction t1 = t.tm().suspend();
    t.tm().begin();
    t.tm().getTransaction().enlistResource(r2);
    t.tm().getTransaction().delistResource(r2, XAResource.TMSUCCESS);
    Transaction t2 = t.tm().suspend();
    t.tm().begin();
    t.tm().getTransaction().enlistResource(r3);
    t.tm().commit();
    t.tm().resume(t2);
    t.tm().rollback();
    t.tm().resume(t1);
    t.tm().commit();
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, r1.state("x1"));
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, r2.state("x2"));
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, r3.state("x3"));
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
  }

  /** A Transaction this TM never created. */
  private static final class ForeignTransaction implements Transaction {
    @Override
    public void commit()
        throws RollbackException, HeuristicMixedException, HeuristicRollbackException {}

    @Override
    public boolean delistResource(XAResource xaRes, int flag) {
      return false;
    }

    @Override
    public boolean enlistResource(XAResource xaRes) {
      return false;
    }

    @Override
    public int getStatus() {
      return Status.STATUS_ACTIVE;
    }

    @Override
    public void registerSynchronization(Synchronization sync) {}

    @Override
    public void rollback() {}

    @Override
    public void setRollbackOnly() {}
  }
}
