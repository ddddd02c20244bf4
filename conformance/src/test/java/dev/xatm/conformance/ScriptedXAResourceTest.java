package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.conformance.ScriptedXAResource.Capabilities;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

/**
 * The fake itself: it must catch a TM that breaks the XA protocol (so the after-case check can
 * fail) and must refuse, in its pgjdbc profile, what pgjdbc refuses.
 */
class ScriptedXAResourceTest {
  private final CallLog log = new CallLog();

  private static Xid xid(int branch) {
    return new Xid() {
      @Override
      public int getFormatId() {
        return 4711;
      }

      @Override
      public byte[] getGlobalTransactionId() {
        return new byte[] {1, 2, 3};
      }

      @Override
      public byte[] getBranchQualifier() {
        return new byte[] {(byte) branch};
      }
    };
  }

  private static int code(ThrowingRunnable r) {
    return assertThrows(XAException.class, r::run).errorCode;
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws XAException;
  }

  @Test
  void illegalSequencesAreViolations() throws Exception {
    ScriptedXAResource a = new ScriptedXAResource("a", log, Capabilities.FULL);
    a.start(xid(1), XAResource.TMNOFLAGS);
    assertEquals(XAException.XAER_DUPID, code(() -> a.start(xid(1), XAResource.TMNOFLAGS)));
    assertEquals(XAException.XAER_PROTO, code(() -> a.prepare(xid(1))), "prepare while active");
    assertEquals(XAException.XAER_PROTO, code(() -> a.commit(xid(1), false)));
    a.end(xid(1), XAResource.TMSUCCESS);
    assertEquals(XAException.XAER_PROTO, code(() -> a.end(xid(1), XAResource.TMSUCCESS)));
    assertEquals(XAException.XAER_PROTO, code(() -> a.commit(xid(1), false)), "not prepared");
    assertEquals(XAException.XAER_NOTA, code(() -> a.rollback(xid(2))));
    assertEquals(5, a.violations().size(), a.violations().toString());
    assertEquals(XAResource.XA_OK, a.prepare(xid(1)));
    a.commit(xid(1), false);
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, a.state("x1"));
  }

  @Test
  void pgjdbcProfileRefusesSuspendResumeAndForeignJoin() throws Exception {
    ScriptedXAResource p1 = new ScriptedXAResource("p1", log, Capabilities.PGJDBC);
    ScriptedXAResource p2 = p1.sameRm("p2");
    assertFalse(p1.isSameRM(p2), "pgjdbc: isSameRM is identity");
    assertTrue(p1.isSameRM(p1));
    p1.start(xid(1), XAResource.TMNOFLAGS);
    assertEquals(XAException.XAER_RMERR, code(() -> p1.end(xid(1), XAResource.TMSUSPEND)));
    p1.end(xid(1), XAResource.TMSUCCESS);
    assertEquals(XAException.XAER_RMERR, code(() -> p2.start(xid(1), XAResource.TMJOIN)));
    p1.start(xid(1), XAResource.TMJOIN); // its own ended branch: pgjdbc allows it
    assertEquals(XAException.XAER_RMERR, code(() -> p1.start(xid(1), XAResource.TMRESUME)));
    p1.rollback(xid(1)); // pgjdbc rolls back its current transaction, active or not
    assertEquals(List.of(), p1.violations());
  }

  @Test
  void joinedBranchIsIdleOnlyWhenEveryAssociationEnded() throws Exception {
    ScriptedXAResource a1 = new ScriptedXAResource("a1", log, Capabilities.FULL);
    ScriptedXAResource a2 = a1.sameRm("a2");
    assertTrue(a1.isSameRM(a2));
    a1.start(xid(1), XAResource.TMNOFLAGS);
    a2.start(xid(1), XAResource.TMJOIN);
    a1.end(xid(1), XAResource.TMSUCCESS);
    assertEquals(ScriptedXAResource.BranchState.ACTIVE, a1.state("x1"));
    assertEquals(XAException.XAER_PROTO, code(() -> a1.prepare(xid(1))));
    a2.end(xid(1), XAResource.TMSUCCESS);
    assertEquals(ScriptedXAResource.BranchState.IDLE, a1.state("x1"));
    assertEquals(
        List.of(
            "a1.start(x1,TMNOFLAGS)",
            "a2.start(x1,TMJOIN)",
            "a1.end(x1,TMSUCCESS)",
            "a1.prepare(x1)",
            "a2.end(x1,TMSUCCESS)"),
        log.all());
  }

  @Test
  void scriptedHeuristicStaysUntilForget() throws Exception {
    ScriptedXAResource a = new ScriptedXAResource("a", log, Capabilities.FULL);
    a.failNext(ScriptedXAResource.Op.COMMIT, XAException.XA_HEURMIX);
    a.start(xid(1), XAResource.TMNOFLAGS);
    a.end(xid(1), XAResource.TMSUCCESS);
    assertEquals(XAException.XA_HEURMIX, code(() -> a.commit(xid(1), true)));
    assertEquals(ScriptedXAResource.BranchState.HEURISTIC, a.state("x1"));
    a.forget(xid(1));
    assertEquals(null, a.state("x1"));
  }
}
