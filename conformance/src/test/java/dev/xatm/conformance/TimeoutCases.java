package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import java.time.Duration;
import java.util.List;
import javax.transaction.xa.XAResource;

/**
 * Transaction timeouts: a transaction past its timeout can only roll back; commit throws
 * RollbackException and disassociates; its resources are rolled back; the resource learns the
 * timeout through XAResource.setTransactionTimeout. Timeouts are one or two seconds because
 * Narayana's clock cannot be injected (xatm's column does not really wait).
 */
class TimeoutCases extends CaseBase {

  @Conformance
  void expiredIdleTransactionIsRolledBackAndCommitThrowsRollbackException(Column c)
      throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().setTransactionTimeout(1);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    tx.delistResource(a, XAResource.TMSUCCESS);
    t.elapse(Duration.ofMillis(2000));
    String status = Statuses.name(t.tm().getStatus());
    String enlist = outcome(() -> tx.enlistResource(resource("late")));
    assertEquals("ROLLEDBACK IllegalStateException", status + " " + enlist, "rolled back at once");
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus(), "commit disassociates");
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
    assertEquals(
        List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "rollback(x1)"),
        log.of("a"),
        "the expired branch is rolled back once");
  }

  @Conformance
  @Divergence(
      what = "what an expired transaction with a resource still between start and end is sent",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.CHANGING_UNDER_ISSUE_9,
      why =
          "today xatm's reaper only marks it rollback-only (it never races the owner thread on a"
              + " resource in use) and the owner's commit ends it TMFAIL and rolls it back;"
              + " Narayana's reaper ends it TMFAIL and rolls it back at the deadline. The lead's"
              + " reaper change (end TMFAIL + rollback at the deadline) moves xatm to Narayana's"
              + " timeline: then the xatm branch of this case must expect Narayana's")
  void expiredTransactionWithAnActiveResource(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().setTransactionTimeout(1);
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a); // the application is using it
    t.elapse(Duration.ofMillis(2000));
    List<String> atDeadline = log.of("a");
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    if (t.is(Column.XATM)) {
      assertEquals(List.of("start(x1,TMNOFLAGS)"), atDeadline);
      assertEquals(List.of("start(x1,TMNOFLAGS)", "end(x1,TMFAIL)", "rollback(x1)"), log.of("a"));
    } else {
      assertEquals(List.of("start(x1,TMNOFLAGS)", "end(x1,TMFAIL)", "rollback(x1)"), atDeadline);
      assertEquals(atDeadline, log.of("a"));
    }
  }

  @Conformance
  void rollbackOfAnExpiredTransactionSucceeds(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().setTransactionTimeout(1);
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().getTransaction().delistResource(a, XAResource.TMSUCCESS);
    t.elapse(Duration.ofMillis(2000));
    t.tm().rollback();
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
  }

  @Conformance
  void afterCompletionOfAnExpiredTransactionReportsRollback(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().setTransactionTimeout(1);
    t.tm().begin();
    t.tm().getTransaction().registerSynchronization(sync("s"));
    t.elapse(Duration.ofMillis(2000));
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(List.of("after(ROLLEDBACK)"), log.of("s"), "no beforeCompletion");
  }

  @Conformance
  void theResourceLearnsTheTransactionTimeout(Column c) throws Exception {
    TmUnderTest t = open(c, 45);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().commit();
    assertEquals(List.of(45), a.timeouts());
  }

  @Conformance
  void aTransactionWithinItsTimeoutCommits(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().setTransactionTimeout(2);
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.elapse(Duration.ofMillis(500));
    t.tm().commit();
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, a.state("x1"));
  }

  @Conformance
  @Divergence(
      what = "resume of a suspended transaction that timed out meanwhile",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.CHANGING_UNDER_ISSUE_9,
      why =
          "xatm's reaper rolls the suspended transaction back and forgets it, so resume throws"
              + " InvalidTransactionException and the thread has no transaction to commit;"
              + " Narayana resumes it and commit throws RollbackException. Issue 9 asks for"
              + " 'resume of a transaction that timed out meanwhile' to be specified: frameworks"
              + " resume in a finally block and expect the RollbackException on commit")
  void resumeOfATransactionThatTimedOutWhileSuspended(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().setTransactionTimeout(1);
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().getTransaction().delistResource(a, XAResource.TMSUCCESS);
    Transaction tx = t.tm().suspend();
    t.elapse(Duration.ofMillis(2000));
    assertEquals(Status.STATUS_ROLLEDBACK, tx.getStatus());
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
    String resumed =
        outcome(
            () -> {
              t.tm().resume(tx);
              return null;
            });
    if (t.is(Column.XATM)) {
      assertEquals("InvalidTransactionException", resumed);
      assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    } else {
      assertEquals("returned null", resumed);
      assertThrows(RollbackException.class, t.tm()::commit);
      assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    }
  }
}
