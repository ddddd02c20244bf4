package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import java.util.List;

/**
 * TransactionManager and UserTransaction demarcation: begin, commit, rollback, setRollbackOnly,
 * getStatus, getTransaction, setTransactionTimeout (JTA 2.0 TransactionManager and UserTransaction
 * Javadoc: "When this method completes, the thread is no longer associated with a transaction",
 * NotSupportedException for a nested begin, IllegalStateException without a transaction, a negative
 * timeout is a SystemException, zero restores the default).
 */
class DemarcationCases extends CaseBase {

  @Conformance
  void beginAssociatesAnActiveTransactionWithTheThread(Column c) throws Exception {
    TmUnderTest t = open(c);
    TransactionManager tm = t.tm();
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
    assertNull(tm.getTransaction());
    tm.begin();
    Transaction tx = tm.getTransaction();
    assertNotNull(tx);
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus());
    assertEquals(Status.STATUS_ACTIVE, tx.getStatus());
    assertEquals(Status.STATUS_ACTIVE, t.ut().getStatus());
    assertEquals(Status.STATUS_ACTIVE, t.tsr().getTransactionStatus());
    assertEquals(tx, tm.getTransaction(), "the same transaction on every call");
    tm.rollback();
  }

  @Conformance
  void nestedBeginOnTheTransactionManagerThrowsNotSupported(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction outer = t.tm().getTransaction();
    assertThrows(NotSupportedException.class, t.tm()::begin);
    assertEquals(outer, t.tm().getTransaction(), "the outer transaction stays associated");
    assertEquals(Status.STATUS_ACTIVE, t.tm().getStatus());
    t.tm().rollback();
  }

  @Conformance
  void nestedBeginOnTheUserTransactionThrowsNotSupported(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.ut().begin();
    assertThrows(NotSupportedException.class, t.ut()::begin);
    assertEquals(Status.STATUS_ACTIVE, t.ut().getStatus());
    t.ut().rollback();
  }

  @Conformance
  void commitDisassociatesAndTheTransactionIsCommitted(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    t.tm().commit();
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    assertNull(t.tm().getTransaction());
    assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, a.state("x1"));
  }

  @Conformance
  void rollbackDisassociatesAndTheTransactionIsRolledBack(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    t.tm().rollback();
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    assertNull(t.tm().getTransaction());
    assertEquals(Status.STATUS_ROLLEDBACK, tx.getStatus());
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
  }

  @Conformance
  void userTransactionCommitAndRollbackDisassociate(Column c) throws Exception {
    TmUnderTest t = open(c);
    UserTransaction ut = t.ut();
    ut.begin();
    ut.commit();
    assertEquals(Status.STATUS_NO_TRANSACTION, ut.getStatus());
    ut.begin();
    ut.rollback();
    assertEquals(Status.STATUS_NO_TRANSACTION, ut.getStatus());
    ut.begin(); // the thread is free again
    assertEquals(Status.STATUS_ACTIVE, ut.getStatus());
    ut.rollback();
  }

  @Conformance
  void withoutATransactionCommitRollbackAndSetRollbackOnlyThrowIllegalState(Column c)
      throws Exception {
    TmUnderTest t = open(c);
    assertThrows(IllegalStateException.class, t.tm()::commit);
    assertThrows(IllegalStateException.class, t.tm()::rollback);
    assertThrows(IllegalStateException.class, t.tm()::setRollbackOnly);
    assertThrows(IllegalStateException.class, t.ut()::commit);
    assertThrows(IllegalStateException.class, t.ut()::rollback);
    assertThrows(IllegalStateException.class, t.ut()::setRollbackOnly);
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    assertEquals(Status.STATUS_NO_TRANSACTION, t.ut().getStatus());
  }

  @Conformance
  void commitAfterSetRollbackOnlyThrowsRollbackExceptionAndRollsBack(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    tx.enlistResource(b);
    t.tm().setRollbackOnly();
    assertEquals(Status.STATUS_MARKED_ROLLBACK, t.tm().getStatus());
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    assertEquals(Status.STATUS_ROLLEDBACK, tx.getStatus());
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, b.state("x2"));
    assertFalse(log.all().stream().anyMatch(e -> e.contains("prepare")), log.toString());
  }

  @Conformance
  void userTransactionSetRollbackOnlyThenCommitThrowsRollbackException(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.ut().begin();
    t.ut().setRollbackOnly();
    assertEquals(Status.STATUS_MARKED_ROLLBACK, t.ut().getStatus());
    assertThrows(RollbackException.class, t.ut()::commit);
    assertEquals(Status.STATUS_NO_TRANSACTION, t.ut().getStatus());
  }

  @Conformance
  void setRollbackOnlyTwiceStaysMarked(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    t.tm().setRollbackOnly();
    t.tm().getTransaction().setRollbackOnly();
    t.tsr().setRollbackOnly();
    assertEquals(Status.STATUS_MARKED_ROLLBACK, t.tm().getStatus());
    t.tm().rollback();
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
  }

  @Conformance
  void rollbackOfAMarkedTransactionSucceeds(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().setRollbackOnly();
    t.tm().rollback();
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
  }

  @Conformance
  @Divergence(
      what = "setTransactionTimeout with a negative value (TransactionManager and UserTransaction)",
      follows = Divergence.Spec.XATM,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "the Javadoc says a negative value throws SystemException; xatm does, Narayana"
              + " accepts it silently")
  void negativeTimeoutThrowsSystemException(Column c) throws Exception {
    TmUnderTest t = open(c);
    if (t.is(Column.XATM)) {
      assertThrows(SystemException.class, () -> t.tm().setTransactionTimeout(-1));
      assertThrows(SystemException.class, () -> t.ut().setTransactionTimeout(-5));
    } else {
      t.tm().setTransactionTimeout(-1);
      t.ut().setTransactionTimeout(-5);
      t.tm().setTransactionTimeout(0);
    }
  }

  @Conformance
  void timeoutAppliesToTransactionsBegunLaterAndZeroRestoresTheDefault(Column c) throws Exception {
    TmUnderTest t = open(c, 30);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    ScriptedXAResource d = resource("d");
    t.tm().begin();
    t.tm().setTransactionTimeout(7); // the running transaction keeps its timeout
    t.tm().getTransaction().enlistResource(a);
    t.tm().commit();
    t.tm().begin();
    t.tm().getTransaction().enlistResource(b);
    t.tm().commit();
    t.ut().setTransactionTimeout(0);
    t.tm().begin();
    t.tm().getTransaction().enlistResource(d);
    t.tm().commit();
    assertEquals(List.of(30), a.timeouts(), "the default, set before this setTransactionTimeout");
    assertEquals(List.of(7), b.timeouts());
    assertEquals(List.of(30), d.timeouts(), "zero restores the default");
  }

  @Conformance
  void timeoutIsPerThread(Column c) throws Exception {
    TmUnderTest t = open(c, 30);
    ScriptedXAResource a = resource("a");
    t.tm().setTransactionTimeout(9);
    onOtherThread(
        () -> {
          t.tm().begin();
          t.tm().getTransaction().enlistResource(a);
          t.tm().commit();
          return null;
        });
    assertEquals(List.of(30), a.timeouts(), "another thread's setTransactionTimeout");
    t.tm().setTransactionTimeout(0);
  }

  @Conformance
  void getTransactionIsNullAfterCompletionAndBeginWorksAgain(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction first = t.tm().getTransaction();
    t.tm().commit();
    t.tm().begin();
    Transaction second = t.tm().getTransaction();
    assertNotNull(second);
    assertTrue(!first.equals(second), "a new transaction object per transaction");
    t.tm().commit();
  }
}
