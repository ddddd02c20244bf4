package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Suspend and resume with resources that cannot TMSUSPEND, as pgjdbc and MariaDB Connector/J
 * (DESIGN §10): the outer transaction must survive a suspend, keep its branches, and commit.
 */
class SuspendWithoutTmSuspendTest {
  private final TestTm t = new TestTm();
  private final XatmTransactionManager tm = t.tm;

  @AfterEach
  void close() throws Exception {
    t.close();
  }

  @ParameterizedTest(name = "end(TMSUSPEND) answers {0}")
  @ValueSource(ints = {XAException.XAER_RMERR, XAException.XAER_INVAL, XAException.XAER_PROTO})
  void outerTransactionSurvivesSuspendAndCommitsWithBothBranches(int refusal) throws Exception {
    FakeXAResource pg = t.resource("pg").refuseSuspend(refusal);
    FakeXAResource maria = t.resource("maria").refuseSuspend(refusal);
    tm.begin();
    Gtrid outer = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(pg);
    tm.getTransaction().enlistResource(maria);

    Transaction suspended = tm.suspend();
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
    assertEquals(Status.STATUS_ACTIVE, suspended.getStatus(), "suspend must not harm the outer");
    tm.begin(); // REQUIRES_NEW: an inner transaction on other connections
    FakeXAResource inner = t.resource("inner");
    tm.getTransaction().enlistResource(inner);
    tm.commit();
    tm.resume(suspended);

    assertEquals(Status.STATUS_ACTIVE, tm.getStatus());
    tm.commit();
    assertEquals(FakeXAResource.BranchState.COMMITTED, pg.state(new XatmXid(outer, 1)));
    assertEquals(FakeXAResource.BranchState.COMMITTED, maria.state(new XatmXid(outer, 2)));
    assertEquals(0, t.journal.count("pg.start(" + outer + "#1,TMRESUME"), t.journal.toString());
    assertTrue(
        t.journal.events().contains("pg.end(" + outer + "#1,TMSUCCESS)"), t.journal.toString());
  }

  @ParameterizedTest(name = "end(TMSUSPEND) answers {0}")
  @ValueSource(ints = {XAException.XAER_RMERR, XAException.XAER_INVAL, XAException.XAER_PROTO})
  void nestedSuspendsEachKeepTheirBranches(int refusal) throws Exception {
    FakeXAResource r = t.resource("r").refuseSuspend(refusal);
    tm.begin();
    Gtrid first = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(r);
    Transaction s1 = tm.suspend();
    tm.begin();
    Gtrid second = (Gtrid) tm.getTransactionKey();
    FakeXAResource r2 = t.resource("r2").refuseSuspend(refusal);
    tm.getTransaction().enlistResource(r2);
    Transaction s2 = tm.suspend();
    tm.begin();
    tm.rollback(); // the innermost rolls back on its own
    tm.resume(s2);
    tm.commit();
    tm.resume(s1);
    tm.commit();
    assertEquals(FakeXAResource.BranchState.COMMITTED, r.state(new XatmXid(first, 1)));
    assertEquals(FakeXAResource.BranchState.COMMITTED, r2.state(new XatmXid(second, 1)));
  }

  @Test
  void resumeOnAnotherThreadCommits() throws Exception {
    FakeXAResource r = t.resource("r").refuseSuspend();
    FakeXAResource q = t.resource("q").refuseSuspend();
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(r);
    tm.getTransaction().enlistResource(q);
    Transaction s = tm.suspend();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      other
          .submit(
              () -> {
                tm.resume(s);
                assertSame(s, tm.getTransaction());
                tm.commit();
                return null;
              })
          .get(10, TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }
    assertEquals(FakeXAResource.BranchState.COMMITTED, r.state(new XatmXid(g, 1)));
    assertNull(tm.getTransaction());
  }

  @Test
  void aResourceThatCanSuspendStillGetsTmSuspendAndTmResume() throws Exception {
    FakeXAResource r = t.resource("r");
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(r);
    Transaction s = tm.suspend();
    assertEquals(FakeXAResource.BranchState.SUSPENDED, r.state(new XatmXid(g, 1)));
    tm.resume(s);
    assertEquals(FakeXAResource.BranchState.ACTIVE, r.state(new XatmXid(g, 1)));
    tm.commit();
    assertTrue(t.journal.events().contains("r.start(" + g + "#1,TMRESUME)"), t.journal.toString());
  }

  @Test
  void anyOtherSuspendFailureStillMarksTheTransactionRollbackOnly() throws Exception {
    FakeXAResource r = t.resource("r").script(FakeXAResource.Op.END, XAException.XAER_RMFAIL);
    tm.begin();
    tm.getTransaction().enlistResource(r);
    Transaction s = tm.suspend();
    assertEquals(Status.STATUS_MARKED_ROLLBACK, s.getStatus(), "a lost connection is not benign");
    tm.resume(s);
    assertThrows(RollbackException.class, tm::commit);
  }

  @Test
  void suspendedTransactionThatTimedOutIsRolledBackAndItsResumedOwnerGetsRollbackException()
      throws Exception {
    FakeXAResource r = t.resource("r");
    tm.setTransactionTimeout(1);
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(r);
    Transaction s = tm.suspend();
    t.scheduler.advanceAndRun(java.time.Duration.ofSeconds(2));
    assertEquals(FakeXAResource.BranchState.ROLLED_BACK, r.state(new XatmXid(g, 1)));
    assertFalse(tm.isAlive(g));
    tm.resume(s); // the owner gets it back, rolled back
    assertEquals(Status.STATUS_ROLLEDBACK, tm.getStatus());
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
  }

  /**
   * A hand-enlisted resource that refused TMSUSPEND keeps its branch associated on its connection
   * (HELD). The reaper cannot interrupt a plain XAResource, and a connection-bound branch must not
   * be ended from another thread that may race whoever holds the connection, so at the deadline it
   * only marks the transaction rollback-only; the locks stay until the owner resumes and completes,
   * and that completion ends the branch with TMFAIL and rolls it back (docs/tm-protocol.md).
   */
  @ParameterizedTest(name = "end(TMSUSPEND) answers {0}")
  @ValueSource(ints = {XAException.XAER_RMERR, XAException.XAER_INVAL, XAException.XAER_PROTO})
  void heldBranchThatTimesOutIsRolledBackByTheOwnerAfterResume(int refusal) throws Exception {
    FakeXAResource r = t.resource("r").refuseSuspend(refusal);
    tm.setTransactionTimeout(1);
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(r);
    Transaction s = tm.suspend();
    XatmXid xid = new XatmXid(g, 1);
    assertEquals(FakeXAResource.BranchState.ACTIVE, r.state(xid), "HELD: still associated");

    t.scheduler.advanceAndRun(java.time.Duration.ofSeconds(2));
    t.scheduler.advanceAndRun(java.time.Duration.ofSeconds(2)); // and the next tick alike
    assertEquals(Status.STATUS_MARKED_ROLLBACK, s.getStatus());
    assertTrue(tm.isAlive(g), "the reaper left it");
    assertEquals(FakeXAResource.BranchState.ACTIVE, r.state(xid));
    assertEquals(
        0,
        t.journal.count("r.end(" + g + "#1,TMFAIL") + t.journal.count("r.rollback"),
        t.journal.toString());

    tm.resume(s);
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus());
    assertEquals(0, t.journal.count("r.start(" + g + "#1,TMRESUME"), "resume sends nothing");
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertTrue(t.journal.events().contains("r.end(" + g + "#1,TMFAIL)"), t.journal.toString());
    assertEquals(FakeXAResource.BranchState.ROLLED_BACK, r.state(xid));
    assertFalse(tm.isAlive(g));
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
  }
}
