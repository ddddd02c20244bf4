package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three places where the conformance suite (conformance/, docs/conformance.md) found xatm against
 * the Jakarta Transactions 2.0 Javadoc text; each case failed before its fix.
 */
class JtaJavadocFixesTest {
  private final TestTm t = new TestTm();
  private final XatmTransactionManager tm = t.tm;

  @AfterEach
  void close() throws Exception {
    t.close();
  }

  @Test
  void delistOfAResourceThatIsNotEnlistedReturnsFalseInAnActiveTransaction() throws Exception {
    tm.begin();
    FakeXAResource never = t.resource("never");
    assertFalse(tm.getTransaction().delistResource(never, XAResource.TMSUCCESS));
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus());
    tm.commit();
  }

  @Test
  void afterAHeuristicMixedCommitTheStatusIsTheDecisionNotUnknown() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b").script(FakeXAResource.Op.COMMIT, XAException.XA_HEURRB);
    List<Integer> seen = new ArrayList<>();
    tm.begin();
    Transaction tx = tm.getTransaction();
    tx.enlistResource(a);
    tx.enlistResource(b);
    tx.registerSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {}

          @Override
          public void afterCompletion(int status) {
            seen.add(status);
          }
        });
    assertThrows(HeuristicMixedException.class, tm::commit);
    // Status.STATUS_UNKNOWN is transient by its Javadoc; the final state reports the decision.
    assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
    assertEquals(List.of(Status.STATUS_COMMITTED), seen);
  }

  @Test
  void putResourceInAfterCompletionIsRefusedAndGetResourceStillReads() throws Exception {
    List<Object> read = new ArrayList<>();
    List<Throwable> put = new ArrayList<>();
    tm.begin();
    tm.putResource("k", "v");
    tm.registerInterposedSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {}

          @Override
          public void afterCompletion(int status) {
            read.add(tm.getResource("k"));
            try {
              tm.putResource("k2", "v2");
            } catch (IllegalStateException e) {
              put.add(e);
            }
          }
        });
    tm.commit();
    assertEquals(List.of("v"), read);
    assertEquals(1, put.size(), "putResource in afterCompletion must throw IllegalStateException");
  }
}
