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
      kind = Divergence.Kind.DELIBERATE,
      why =
          "a resource between start and end may be in use by the owner thread right now, and"
              + " pgjdbc and MariaDB connections are not safe for use by two threads: xatm's reaper"
              + " ends and rolls back such a branch at the deadline only when the resource is an"
              + " InterruptibleXAResource that stopped the owner's work (the jdbc:xa: driver's:"
              + " cancel, fence, wait; proven in it/TimeoutReleaseIT); this plain fake is not, so"
              + " xatm marks it rollback-only and the owner's commit ends it TMFAIL and rolls it"
              + " back. Narayana's reaper ends it TMFAIL and rolls it back from its own thread at"
              + " the deadline, whatever the owner is doing")
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
    // Frameworks resume in a finally block and expect the RollbackException on commit.
    assertEquals("returned null", resumed);
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
  }
}
