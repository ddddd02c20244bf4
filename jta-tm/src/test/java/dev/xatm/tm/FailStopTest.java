package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailStopTest {
  private final TestTm t = new TestTm();
  private final XatmTransactionManager tm = t.tm;

  @AfterEach
  void close() throws Exception {
    t.close();
  }

  @Test
  void committingNotDurableRollsBackAndRefusesNewTransactions() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b");
    // Register the resources first so that the failing forced write is Committing.
    tm.begin();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().enlistResource(b);
    tm.commit();

    IOException disk = new IOException("EIO on fsync");
    t.log.failNextForced(disk);
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().enlistResource(b);
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertSame(disk, e.getCause().getCause());
    assertEquals(FakeXAResource.BranchState.ROLLED_BACK, a.state(new XatmXid(g, 1)));
    assertEquals(FakeXAResource.BranchState.ROLLED_BACK, b.state(new XatmXid(g, 2)));
    assertEquals(1, t.journal.count("a.commit"), "only the first transaction's commit was sent");

    SystemException refused = assertThrows(SystemException.class, tm::begin);
    assertTrue(refused.getMessage().contains("EIO on fsync"), refused.getMessage());
    assertTrue(refused.getMessage().contains("restart"), refused.getMessage());
    assertSame(e.getCause(), tm.failStopCause());
  }

  @Test
  void resourceRegistrationNotDurableAlsoFailStops() throws Exception {
    t.log.failNextForced(new IOException("ENOSPC"));
    tm.begin();
    tm.getTransaction().enlistResource(t.resource("a"));
    tm.getTransaction().enlistResource(t.resource("b"));
    assertThrows(RollbackException.class, tm::commit);
    assertEquals(0, t.journal.count("a.prepare"), "no prepare before the resource is registered");
    assertThrows(SystemException.class, tm::begin);
  }

  @Test
  void failpointBeforeCommittingCountsAsALogFailure() throws Exception {
    t.failpoints.arm(Failpoint.BEFORE_COMMITTING_DURABLE, Failpoints.fail("disk gone"));
    tm.begin();
    tm.getTransaction().enlistResource(t.resource("a"));
    tm.getTransaction().enlistResource(t.resource("b"));
    assertThrows(RollbackException.class, tm::commit);
    assertEquals(0, t.journal.count("log.Committing"));
    assertEquals(2, t.journal.count("a.rollback") + t.journal.count("b.rollback"));
    assertThrows(SystemException.class, tm::begin);
  }

  @Test
  void afterTheDecisionFailpointsCannotPreventTheCommit() throws Exception {
    t.failpoints.arm(Failpoint.AFTER_COMMITTING_DURABLE, Failpoints.fail("ignored"));
    t.failpoints.arm(
        Failpoint.BEFORE_COMMIT, Failpoints.onHit(1, Failpoints.fail("first commit lost")));
    tm.begin();
    tm.getTransaction().enlistResource(t.resource("a"));
    tm.getTransaction().enlistResource(t.resource("b"));
    tm.commit(); // returns normally: the outcome is committed
    assertEquals(1, tm.pendingRetries(), "the branch whose commit failed is retried");
    t.scheduler.advanceAndRun(java.time.Duration.ofSeconds(1));
    assertEquals(0, tm.pendingRetries());
    assertEquals(2, t.journal.count("a.commit") + t.journal.count("b.commit"));
    assertEquals(1, t.journal.count("log.End"));
  }
}
