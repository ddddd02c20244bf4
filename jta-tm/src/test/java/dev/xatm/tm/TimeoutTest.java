package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import java.time.Duration;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutTest {
  private final TestTm t = new TestTm();
  private final XatmTransactionManager tm = t.tm;

  @AfterEach
  void close() throws Exception {
    t.close();
  }

  @Test
  void reaperRollsBackAnExpiredTransactionWhoseResourcesAreIdle() throws Exception {
    FakeXAResource a = t.resource("a");
    tm.setTransactionTimeout(5);
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().delistResource(a, XAResource.TMSUCCESS);
    assertEquals(5, a.transactionTimeout(), "the resource learns the remaining timeout");
    t.scheduler.advanceAndRun(Duration.ofSeconds(4));
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus());
    t.scheduler.advanceAndRun(Duration.ofSeconds(2));
    assertEquals(Status.STATUS_ROLLEDBACK, tm.getStatus());
    assertEquals(FakeXAResource.BranchState.ROLLED_BACK, a.state(new XatmXid(g, 1)));
    assertTrue(!tm.isAlive(g));
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
  }

  @Test
  void reaperDoesNotRaceAnActiveAssociationAndTheOwnerRollsBack() throws Exception {
    FakeXAResource a = t.resource("a");
    tm.setTransactionTimeout(1);
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(a); // the application is "using" it
    t.scheduler.advanceAndRun(Duration.ofSeconds(2));
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus());
    assertEquals(
        0,
        t.journal.count("a.end") + t.journal.count("a.rollback"),
        "the reaper sent nothing to a resource in use");
    assertTrue(tm.isAlive(g));
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertEquals(1, t.journal.count("a.end"));
    assertTrue(t.journal.events().contains("a.end(" + g + "#1,TMFAIL)"), t.journal.toString());
    assertEquals(1, t.journal.count("a.rollback"));
  }

  @Test
  void commitAfterExpiryThrowsRollbackExceptionEvenBeforeTheReaperRuns() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b");
    tm.setTransactionTimeout(1);
    tm.begin();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().enlistResource(b);
    t.clock.advance(Duration.ofSeconds(2)); // no reaper tick
    assertThrows(RollbackException.class, tm::commit);
    assertEquals(0, t.journal.count("a.prepare"));
    assertEquals(1, t.journal.count("b.rollback"));
  }

  @Test
  void ownerRollbackAfterTheReaperIsQuiet() throws Exception {
    tm.setTransactionTimeout(1);
    tm.begin();
    t.scheduler.advanceAndRun(Duration.ofSeconds(2));
    assertEquals(Status.STATUS_ROLLEDBACK, tm.getStatus());
    tm.rollback();
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
  }

  @Test
  void defaultTimeoutAppliesAfterResetToZero() throws Exception {
    tm.setTransactionTimeout(1);
    tm.setTransactionTimeout(0);
    tm.begin();
    t.scheduler.advanceAndRun(Duration.ofSeconds(30));
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "default is 60 s");
    t.scheduler.advanceAndRun(Duration.ofSeconds(31));
    assertEquals(Status.STATUS_ROLLEDBACK, tm.getStatus());
    tm.rollback();
    assertThrows(SystemException.class, () -> tm.setTransactionTimeout(-1));
  }
}
