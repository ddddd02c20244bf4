package dev.xatm.tm;

import static javax.transaction.xa.XAResource.TMFAIL;
import static javax.transaction.xa.XAResource.TMJOIN;
import static javax.transaction.xa.XAResource.TMNOFLAGS;
import static javax.transaction.xa.XAResource.TMRESUME;
import static javax.transaction.xa.XAResource.TMSUCCESS;
import static javax.transaction.xa.XAResource.TMSUSPEND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.FakeXAResource.Op;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import java.util.List;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EnlistmentTest {
  private final TestTm t = new TestTm();
  private final XatmTransactionManager tm = t.tm;

  @AfterEach
  void close() throws Exception {
    t.close();
  }

  @Test
  void sameRmJoinsTheExistingBranchWithTmJoin() throws Exception {
    FakeXAResource a1 = t.resource("a");
    FakeXAResource a2 = t.resource("a");
    a2.sameRm(r -> r == a1 || r == a2);
    a1.sameRm(r -> r == a1 || r == a2);
    FakeXAResource b = t.resource("b");
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(a1);
    tm.getTransaction().enlistResource(a2);
    tm.getTransaction().enlistResource(b);
    assertEquals(List.of(TMNOFLAGS), a1.startFlags());
    assertEquals(List.of(TMJOIN), a2.startFlags());
    assertTrue(t.journal.events().contains("a.start(" + g + "#1,TMJOIN)"), t.journal.toString());
    assertTrue(t.journal.events().contains("b.start(" + g + "#2,TMNOFLAGS)"), t.journal.toString());
    tm.commit();
    assertEquals(1, t.journal.count("a.prepare"), "one branch, prepared once");
    assertEquals(2, t.journal.count("a.end"), "both associations ended");
  }

  @Test
  void differentRmsGetTheirOwnBranchQualifier() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b");
    FakeXAResource c = t.resource("c");
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    for (FakeXAResource r : List.of(a, b, c)) {
      tm.getTransaction().enlistResource(r);
    }
    tm.commit();
    assertEquals(FakeXAResource.BranchState.COMMITTED, a.state(new XatmXid(g, 1)));
    assertEquals(FakeXAResource.BranchState.COMMITTED, b.state(new XatmXid(g, 2)));
    assertEquals(FakeXAResource.BranchState.COMMITTED, c.state(new XatmXid(g, 3)));
  }

  @Test
  void joinRefusedByTheResourceFallsBackToANewBranch() throws Exception {
    FakeXAResource a1 = t.resource("a");
    FakeXAResource a2 = t.resource("a2").script(Op.START, XAException.XAER_INVAL);
    a1.sameRm(r -> true);
    tm.begin();
    tm.getTransaction().enlistResource(a1);
    tm.getTransaction().enlistResource(a2);
    assertEquals(List.of(TMJOIN, TMNOFLAGS), a2.startFlags());
    tm.commit();
    assertEquals(1, t.journal.count("a2.commit"));
  }

  @Test
  void delistAndReenlist() throws Exception {
    FakeXAResource a = t.resource("a");
    tm.begin();
    var tx = tm.getTransaction();
    tx.enlistResource(a);
    assertTrue(tx.delistResource(a, TMSUSPEND));
    tx.enlistResource(a);
    assertTrue(tx.delistResource(a, TMSUCCESS));
    tx.enlistResource(a);
    assertEquals(List.of(TMNOFLAGS, TMRESUME, TMJOIN), a.startFlags());
    assertFalse(tx.delistResource(t.resource("never"), TMSUCCESS), "not enlisted: false (Javadoc)");
    tm.commit();
  }

  @Test
  void delistWithTmFailMarksRollbackOnly() throws Exception {
    FakeXAResource a = t.resource("a");
    tm.begin();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().delistResource(a, TMFAIL);
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus());
    assertThrows(RollbackException.class, tm::commit);
    assertEquals(1, t.journal.count("a.rollback"));
  }

  @Test
  void enlistmentRefusedAfterRollbackOnlyAndAfterCompletion() throws Exception {
    tm.begin();
    var tx = tm.getTransaction();
    tm.setRollbackOnly();
    assertThrows(RollbackException.class, () -> tx.enlistResource(t.resource("a")));
    tm.rollback();
    assertThrows(IllegalStateException.class, () -> tx.enlistResource(t.resource("b")));
    assertEquals(0, t.journal.count("a.start") + t.journal.count("b.start"));
  }

  @Test
  void startRollbackCodeMarksRollbackOnlyAndOtherFailuresAreSystemExceptions() throws Exception {
    tm.begin();
    FakeXAResource rb = t.resource("rb").script(Op.START, XAException.XA_RBOTHER);
    assertThrows(RollbackException.class, () -> tm.getTransaction().enlistResource(rb));
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus());
    tm.rollback();
    tm.begin();
    FakeXAResource fail = t.resource("fail").script(Op.START, XAException.XAER_RMFAIL);
    SystemException e =
        assertThrows(SystemException.class, () -> tm.getTransaction().enlistResource(fail));
    assertEquals(XAException.XAER_RMFAIL, e.errorCode);
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus());
    tm.commit();
    assertEquals(0, t.journal.count("fail.commit"), "a resource that failed to start is no branch");
  }

  @Test
  void suspendAndResumeSuspendAndResumeAssociations() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b");
    tm.begin();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().enlistResource(b);
    tm.getTransaction().delistResource(b, TMSUCCESS);
    var tx = tm.suspend();
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
    assertNull(tm.getTransaction());
    assertTrue(
        t.journal.events().stream()
            .anyMatch(e -> e.startsWith("a.end(") && e.endsWith("TMSUSPEND)")));
    tm.begin(); // another transaction on the same thread meanwhile
    tm.commit();
    tm.resume(tx);
    assertSame(tx, tm.getTransaction());
    assertEquals(List.of(TMNOFLAGS, TMRESUME), a.startFlags());
    assertEquals(
        List.of(TMNOFLAGS), b.startFlags(), "b was ended by the application, not suspended");
    tm.commit();
    assertThrows(InvalidTransactionException.class, () -> tm.resume(tx));
    assertNull(tm.suspend());
  }

  @Test
  void resumeRules() throws Exception {
    tm.begin();
    var tx = tm.suspend();
    tm.begin();
    assertThrows(IllegalStateException.class, () -> tm.resume(tx));
    tm.rollback();
    assertThrows(InvalidTransactionException.class, () -> tm.resume(null));
    tm.resume(tx);
    tm.rollback();
  }
}
