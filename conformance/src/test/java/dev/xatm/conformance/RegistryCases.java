package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * TransactionSynchronizationRegistry: getTransactionKey (null without a transaction, equal and same
 * hashCode within one, usable as a map key), putResource/getResource (Map semantics,
 * IllegalStateException without a transaction, NullPointerException for a null key, per
 * transaction), getTransactionStatus, setRollbackOnly/getRollbackOnly.
 */
class RegistryCases extends CaseBase {

  @Conformance
  void transactionKeyIsNullWithoutATransactionAndStableWithinOne(Column c) throws Exception {
    TmUnderTest t = open(c);
    assertNull(t.tsr().getTransactionKey());
    t.tm().begin();
    Object k1 = t.tsr().getTransactionKey();
    Object k2 = t.tsr().getTransactionKey();
    assertNotNull(k1);
    assertEquals(k1, k2);
    assertEquals(k1.hashCode(), k2.hashCode());
    Map<Object, String> m = new HashMap<>();
    m.put(k1, "tx");
    assertEquals("tx", m.get(k2));
    t.tm().commit();
    assertNull(t.tsr().getTransactionKey());
    t.tm().begin();
    assertNotEquals(k1, t.tsr().getTransactionKey(), "another transaction, another key");
    t.tm().rollback();
  }

  @Conformance
  void transactionKeyIsTheSameOnAnotherThreadOfTheSameTransaction(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Object key = t.tsr().getTransactionKey();
    Transaction tx = t.tm().suspend();
    Object there =
        onOtherThread(
            () -> {
              t.tm().resume(tx);
              Object k = t.tsr().getTransactionKey();
              t.tm().suspend();
              return k;
            });
    assertEquals(key, there);
    assertEquals(key.hashCode(), there.hashCode());
    t.tm().resume(tx);
    t.tm().rollback();
  }

  @Conformance
  void putAndGetResourceFollowMapSemantics(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    assertNull(t.tsr().getResource("k"));
    t.tsr().putResource("k", "v1");
    assertEquals("v1", t.tsr().getResource("k"));
    t.tsr().putResource("k", "v2");
    assertEquals("v2", t.tsr().getResource("k"), "replaced");
    t.tsr().putResource("n", null);
    assertNull(t.tsr().getResource("n"), "null values are allowed");
    t.tm().commit();
    t.tm().begin();
    assertNull(t.tsr().getResource("k"), "resources belong to one transaction");
    t.tm().rollback();
  }

  @Conformance
  void resourcesWithoutATransactionThrowIllegalState(Column c) throws Exception {
    TmUnderTest t = open(c);
    assertThrows(IllegalStateException.class, () -> t.tsr().putResource("k", "v"));
    assertThrows(IllegalStateException.class, () -> t.tsr().getResource("k"));
  }

  @Conformance
  void nullKeyThrowsNullPointerException(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    assertThrows(NullPointerException.class, () -> t.tsr().putResource(null, "v"));
    assertThrows(NullPointerException.class, () -> t.tsr().getResource(null));
    t.tm().rollback();
  }

  @Conformance
  @Divergence(
      what = "TSR.getResource inside afterCompletion",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "afterCompletion runs 'in an undefined context' (TSR Javadoc); xatm keeps the"
              + " transaction's resources readable there (frameworks clean up by key in"
              + " afterCompletion), Narayana returns null")
  void resourcesAreReadableInBeforeAndAfterCompletion(Column c) throws Exception {
    TmUnderTest t = open(c);
    AtomicReference<Object> inBefore = new AtomicReference<>();
    AtomicReference<Object> inAfter = new AtomicReference<>();
    t.tm().begin();
    t.tsr().putResource("k", "v");
    t.tsr()
        .registerInterposedSynchronization(
            sync("i")
                .inBefore(() -> inBefore.set(t.tsr().getResource("k")))
                .inAfter(() -> inAfter.set(t.tsr().getResource("k"))));
    t.tm().commit();
    assertEquals("v", inBefore.get());
    assertEquals(t.is(Column.XATM) ? "v" : null, inAfter.get());
  }

  @Conformance
  void getTransactionStatusAndRollbackOnly(Column c) throws Exception {
    TmUnderTest t = open(c);
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tsr().getTransactionStatus());
    assertThrows(IllegalStateException.class, t.tsr()::getRollbackOnly);
    assertThrows(IllegalStateException.class, t.tsr()::setRollbackOnly);
    t.tm().begin();
    assertFalse(t.tsr().getRollbackOnly());
    t.tsr().setRollbackOnly();
    assertTrue(t.tsr().getRollbackOnly());
    assertEquals(Status.STATUS_MARKED_ROLLBACK, t.tsr().getTransactionStatus());
    assertEquals(Status.STATUS_MARKED_ROLLBACK, t.tm().getStatus());
    t.tm().rollback();
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tsr().getTransactionStatus());
  }

  @Conformance
  void statusSeenFromInsideTheProtocol(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    AtomicReference<String> inPrepare = new AtomicReference<>();
    AtomicReference<String> inCommit = new AtomicReference<>();
    AtomicReference<String> inAfter = new AtomicReference<>();
    AtomicReference<Transaction> tx = new AtomicReference<>();
    a.onCall(ScriptedXAResource.Op.PREPARE, () -> inPrepare.set(status(tx.get())));
    a.onCall(ScriptedXAResource.Op.COMMIT, () -> inCommit.set(status(tx.get())));
    t.tm().begin();
    tx.set(t.tm().getTransaction());
    tx.get().enlistResource(a);
    tx.get().enlistResource(b);
    tx.get()
        .registerSynchronization(
            sync("s")
                .inAfter(
                    () ->
                        inAfter.set(
                            Statuses.name(t.tm().getStatus())
                                + "/"
                                + Statuses.name(t.tsr().getTransactionStatus()))));
    t.tm().commit();
    assertEquals("PREPARING", inPrepare.get());
    assertEquals("COMMITTING", inCommit.get());
    assertEquals("COMMITTED/COMMITTED", inAfter.get());
  }

  @Conformance
  void putResourceInsideAfterCompletion(Column c) throws Exception {
    TmUnderTest t = open(c);
    AtomicReference<String> put = new AtomicReference<>();
    t.tm().begin();
    t.tsr()
        .registerInterposedSynchronization(
            sync("i")
                .inAfter(
                    () ->
                        put.set(
                            outcome(
                                () -> {
                                  t.tsr().putResource("k", "v");
                                  return null;
                                }))));
    t.tm().commit();
    assertEquals("IllegalStateException", put.get());
  }

  @Conformance
  void statusSeenInsideRollbackAndAfterAHeuristicMixedOutcome(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    AtomicReference<String> inRollback = new AtomicReference<>();
    AtomicReference<Transaction> tx = new AtomicReference<>();
    a.onCall(ScriptedXAResource.Op.ROLLBACK, () -> inRollback.set(status(tx.get())));
    t.tm().begin();
    tx.set(t.tm().getTransaction());
    tx.get().enlistResource(a);
    tx.get().enlistResource(b);
    t.tm().rollback();
    ScriptedXAResource m1 = resource("m1");
    ScriptedXAResource m2 =
        resource("m2")
            .failNext(ScriptedXAResource.Op.COMMIT, javax.transaction.xa.XAException.XA_HEURMIX);
    t.tm().begin();
    Transaction mixed = t.tm().getTransaction();
    mixed.enlistResource(m1);
    mixed.enlistResource(m2);
    mixed.registerSynchronization(sync("s"));
    String commit =
        outcome(
            () -> {
              t.tm().commit();
              return null;
            });
    assertEquals("ROLLING_BACK HeuristicMixedException", inRollback.get() + " " + commit);
    assertEquals("COMMITTED", status(mixed));
    assertEquals(List.of("before", "after(COMMITTED)"), log.of("s"));
  }

  @Conformance
  @Divergence(
      what = "Transaction.commit called again from inside beforeCompletion",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "the Javadoc does not cover re-entry; xatm refuses it with IllegalStateException (the"
              + " transaction is already completing), Narayana returns normally from the inner"
              + " call. Both refuse commit and rollback from inside prepare, and the outer commit"
              + " commits")
  void completionReenteredFromInsideTheProtocol(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    AtomicReference<String> inPrepare = new AtomicReference<>();
    AtomicReference<String> inBefore = new AtomicReference<>();
    AtomicReference<Transaction> tx = new AtomicReference<>();
    a.onCall(
        ScriptedXAResource.Op.PREPARE,
        () ->
            inPrepare.set(
                outcome(
                        () -> {
                          tx.get().commit();
                          return null;
                        })
                    + " "
                    + outcome(
                        () -> {
                          tx.get().rollback();
                          return null;
                        })));
    t.tm().begin();
    tx.set(t.tm().getTransaction());
    tx.get().enlistResource(a);
    tx.get().enlistResource(b);
    tx.get()
        .registerSynchronization(
            sync("s")
                .inBefore(
                    () ->
                        inBefore.set(
                            outcome(
                                () -> {
                                  tx.get().commit();
                                  return null;
                                }))));
    String commit =
        outcome(
            () -> {
              t.tm().commit();
              return null;
            });
    assertEquals(
        (t.is(Column.XATM) ? "IllegalStateException" : "returned null")
            + " / IllegalStateException IllegalStateException / returned null COMMITTED",
        inBefore.get() + " / " + inPrepare.get() + " / " + commit + " " + status(tx.get()));
  }

  private static String status(Transaction tx) {
    try {
      return Statuses.name(tx.getStatus());
    } catch (jakarta.transaction.SystemException e) {
      return e.toString();
    }
  }
}
