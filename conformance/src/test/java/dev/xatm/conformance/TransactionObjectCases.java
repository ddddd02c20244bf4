package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Transaction interface on its own: completing a transaction through its object (associated or
 * not), its status, and setRollbackOnly from every state a transaction passes through (ACTIVE,
 * MARKED_ROLLBACK, inside beforeCompletion, PREPARING, COMMITTING, inside afterCompletion,
 * completed).
 */
class TransactionObjectCases extends CaseBase {

  @Conformance
  void commitThroughTheObjectOfASuspendedTransaction(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().getTransaction().delistResource(a, javax.transaction.xa.XAResource.TMSUCCESS);
    Transaction tx = t.tm().suspend();
    tx.commit();
    assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, a.state("x1"));
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
  }

  @Conformance
  void rollbackThroughTheObjectOfASuspendedTransaction(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().getTransaction().delistResource(a, javax.transaction.xa.XAResource.TMSUCCESS);
    Transaction tx = t.tm().suspend();
    tx.rollback();
    assertEquals(Status.STATUS_ROLLEDBACK, tx.getStatus());
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
  }

  @Conformance
  void commitThroughTheObjectWhileAssociated(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.commit();
    assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
    // Transaction.commit's Javadoc says nothing about the thread's association.
    String after = Statuses.name(t.tm().getStatus());
    String begin =
        outcome(
            () -> {
              t.tm().begin();
              return null;
            });
    assertEquals("COMMITTED NotSupportedException", after + " " + begin, "both stay associated");
    t.tm().suspend();
  }

  @Conformance
  void commitOfACompletedTransactionThrowsIllegalState(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    t.tm().commit();
    assertThrows(IllegalStateException.class, tx::commit);
    assertThrows(IllegalStateException.class, tx::rollback);
  }

  @Conformance
  void rollbackOfARolledBackTransactionThrowsIllegalState(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    t.tm().rollback();
    assertThrows(IllegalStateException.class, tx::rollback);
    assertThrows(IllegalStateException.class, tx::commit);
  }

  @Conformance
  void setRollbackOnlyWhenActiveMarksIt(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.setRollbackOnly();
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tx.getStatus());
    assertTrue(t.tsr().getRollbackOnly());
    assertThrows(RollbackException.class, tx::commit);
    assertEquals(Status.STATUS_ROLLEDBACK, tx.getStatus());
    t.tm().suspend();
  }

  @Conformance
  void setRollbackOnlyInsideBeforeCompletionRollsBack(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().getTransaction().registerSynchronization(sync("s").inBefore(t.tm()::setRollbackOnly));
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
    assertEquals(
        java.util.List.of("before", "after(ROLLEDBACK)"), log.of("s"), "the synchronization");
  }

  @Conformance
  void setRollbackOnlyDuringPrepareIsRefusedOrIgnoredButTheOutcomeIsConsistent(Column c)
      throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    AtomicReference<Object> seen = new AtomicReference<>();
    AtomicReference<Transaction> tx = new AtomicReference<>();
    a.onCall(
        ScriptedXAResource.Op.PREPARE,
        () -> {
          try {
            seen.set(Statuses.name(tx.get().getStatus()));
            tx.get().setRollbackOnly();
            seen.set(seen.get() + " then " + Statuses.name(tx.get().getStatus()));
          } catch (IllegalStateException e) {
            seen.set(seen.get() + " then IllegalStateException");
          } catch (jakarta.transaction.SystemException e) {
            seen.set(seen.get() + " then SystemException");
          }
        });
    t.tm().begin();
    tx.set(t.tm().getTransaction());
    tx.get().enlistResource(a);
    tx.get().enlistResource(b);
    int outcome;
    try {
      t.tm().commit();
      outcome = Status.STATUS_COMMITTED;
    } catch (RollbackException e) {
      outcome = Status.STATUS_ROLLEDBACK;
    }
    // Both resources end the same way as the TM reports.
    ScriptedXAResource.BranchState expected =
        outcome == Status.STATUS_COMMITTED
            ? ScriptedXAResource.BranchState.COMMITTED
            : ScriptedXAResource.BranchState.ROLLED_BACK;
    assertEquals(expected, b.state("x2"), log.toString());
    // Narayana throws its InvalidTerminationStateException, an IllegalStateException.
    assertEquals("PREPARING then IllegalStateException", seen.get());
    assertEquals(Status.STATUS_COMMITTED, outcome);
  }

  @Conformance
  void setRollbackOnlyInsideAfterCompletionThrowsIllegalState(Column c) throws Exception {
    TmUnderTest t = open(c);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicInteger status = new AtomicInteger(-1);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.registerSynchronization(
        sync("s")
            .inAfter(
                () -> {
                  status.set(tx.getStatus());
                  try {
                    tx.setRollbackOnly();
                  } catch (IllegalStateException e) {
                    thrown.set(e);
                  }
                }));
    t.tm().commit();
    assertEquals(Status.STATUS_COMMITTED, status.get());
    assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
    assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
  }

  @Conformance
  @Divergence(
      what = "Transaction.setRollbackOnly on a completed transaction's object",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "the Javadoc names IllegalStateException only for an object 'not associated with any"
              + " transaction'; xatm refuses to mark a completed transaction (nothing can be rolled"
              + " back any more); Narayana sometimes ignores the call and sometimes throws"
              + " IllegalStateException (InactiveTransactionException), from run to run")
  void setRollbackOnlyOnACompletedTransaction(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction committed = t.tm().getTransaction();
    t.tm().commit();
    String marked =
        outcome(
            () -> {
              committed.setRollbackOnly();
              return null;
            });
    if (t.is(Column.XATM)) {
      assertEquals("IllegalStateException", marked);
    } else {
      // Observed both from run to run: ignored, or IllegalStateException.
      assertTrue(marked.equals("returned null") || marked.equals("IllegalStateException"), marked);
    }
    t.tm().begin();
    Transaction rolledBack = t.tm().getTransaction();
    t.tm().rollback();
    String markedRolledBack =
        outcome(
            () -> {
              rolledBack.setRollbackOnly();
              return null;
            });
    if (t.is(Column.XATM)) {
      assertEquals("IllegalStateException", markedRolledBack);
    } else {
      assertTrue(
          markedRolledBack.equals("returned null")
              || markedRolledBack.equals("IllegalStateException"),
          markedRolledBack);
    }
    assertEquals(Status.STATUS_COMMITTED, committed.getStatus(), "the outcome is unchanged");
    assertEquals(Status.STATUS_ROLLEDBACK, rolledBack.getStatus());
    assertNull(t.tm().getTransaction());
  }

  @Conformance
  void setRollbackOnlyOfASuspendedTransactionThroughItsObject(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().suspend();
    tx.setRollbackOnly();
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tx.getStatus());
    t.tm().resume(tx);
    assertEquals(Status.STATUS_MARKED_ROLLBACK, t.tm().getStatus());
    assertThrows(RollbackException.class, t.tm()::commit);
  }

  @Conformance
  @Divergence(
      what = "Transaction.registerSynchronization while the transaction is preparing",
      follows = Divergence.Spec.XATM,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "beforeCompletion is called 'prior to starting the two-phase commit', which is past;"
              + " the TSR Javadoc refuses an interposed one then with IllegalStateException, and"
              + " Transaction.registerSynchronization refuses a prepared transaction. xatm refuses"
              + " both; Narayana refuses the interposed one but accepts the regular one, which"
              + " then gets only afterCompletion")
  void enlistAndRegisterWhilePreparing(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    ScriptedXAResource late = resource("late");
    AtomicReference<String> seen = new AtomicReference<>();
    AtomicReference<Transaction> tx = new AtomicReference<>();
    a.onCall(
        ScriptedXAResource.Op.PREPARE,
        () ->
            seen.set(
                outcome(() -> tx.get().enlistResource(late))
                    + " "
                    + outcome(
                        () -> {
                          tx.get().registerSynchronization(sync("s"));
                          return null;
                        })
                    + " "
                    + outcome(
                        () -> {
                          t.tsr().registerInterposedSynchronization(sync("i"));
                          return null;
                        })));
    t.tm().begin();
    tx.set(t.tm().getTransaction());
    tx.get().enlistResource(a);
    tx.get().enlistResource(b);
    t.tm().commit();
    assertEquals(
        t.is(Column.XATM)
            ? "IllegalStateException IllegalStateException IllegalStateException"
            : "IllegalStateException returned null IllegalStateException",
        seen.get());
    assertEquals(List.of(), log.of("late"));
    assertEquals(t.is(Column.XATM) ? List.of() : List.of("after(COMMITTED)"), log.of("s"));
    assertEquals(List.of(), log.of("i"));
  }
}
