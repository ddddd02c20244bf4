package dev.xatm.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xatm.cdi.beans.ClassLevelRules;
import dev.xatm.cdi.beans.Rules;
import dev.xatm.cdi.beans.StereotypedService;
import dev.xatm.cdi.beans.TxTypes;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionRequiredException;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.TransactionalException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The six TxTypes with and without a transaction on the thread, and rollbackOn/dontRollbackOn, on
 * Weld SE with the real xatm transaction manager (no resource enlisted; the outcome is read from an
 * interposed synchronization).
 */
class TransactionalInterceptorTest {
  private static WeldContainer cdi;
  private static TransactionManager tm;
  private static TransactionSynchronizationRegistry tsr;
  private static TxTypes types;
  private static Rules rules;
  private static ClassLevelRules classLevel;
  private static StereotypedService stereotyped;

  @BeforeAll
  static void boot() {
    cdi =
        Containers.boot(
            TxTypes.class, Rules.class, ClassLevelRules.class, StereotypedService.class);
    tm = cdi.select(TransactionManager.class).get();
    tsr = cdi.select(TransactionSynchronizationRegistry.class).get();
    types = cdi.select(TxTypes.class).get();
    rules = cdi.select(Rules.class).get();
    classLevel = cdi.select(ClassLevelRules.class).get();
    stereotyped = cdi.select(StereotypedService.class).get();
  }

  @AfterAll
  static void shutdown() {
    cdi.close();
  }

  @AfterEach
  void noTransactionLeft() throws Exception {
    Transaction left = tm.getTransaction();
    if (left != null) {
      tm.rollback();
      throw new AssertionError("a transaction was left on the thread: " + left);
    }
  }

  /** Registers a synchronization that records the completion status of the current transaction. */
  private static AtomicInteger watch() {
    AtomicInteger status = new AtomicInteger(-1);
    tsr.registerInterposedSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {}

          @Override
          public void afterCompletion(int s) {
            status.set(s);
          }
        });
    return status;
  }

  // ---- without a transaction on the thread ----

  @Test
  void requiredWithoutTransactionBeginsAndCommits() throws Exception {
    AtomicInteger[] outcome = new AtomicInteger[1];
    int inside =
        types.required(
            () -> {
              outcome[0] = watch();
              return tm.getStatus();
            });
    assertEquals(Status.STATUS_ACTIVE, inside);
    assertEquals(Status.STATUS_COMMITTED, outcome[0].get());
    assertNull(tm.getTransaction());
  }

  @Test
  void requiresNewWithoutTransactionBeginsAndCommits() throws Exception {
    AtomicInteger[] outcome = new AtomicInteger[1];
    types.requiresNew(
        () -> {
          outcome[0] = watch();
          return null;
        });
    assertEquals(Status.STATUS_COMMITTED, outcome[0].get());
  }

  @Test
  void mandatoryWithoutTransactionThrowsWithTransactionRequiredException() {
    AtomicInteger ran = new AtomicInteger();
    TransactionalException e =
        assertThrows(TransactionalException.class, () -> types.mandatory(ran::incrementAndGet));
    assertInstanceOf(TransactionRequiredException.class, e.getCause());
    assertEquals(0, ran.get(), "the method must not run");
  }

  @Test
  void supportsNotSupportedAndNeverWithoutTransactionRunWithout() throws Exception {
    assertEquals(Status.STATUS_NO_TRANSACTION, (int) types.supports(tm::getStatus));
    assertEquals(Status.STATUS_NO_TRANSACTION, (int) types.notSupported(tm::getStatus));
    assertEquals(Status.STATUS_NO_TRANSACTION, (int) types.never(tm::getStatus));
  }

  // ---- with a transaction on the thread ----

  @Test
  void requiredMandatoryAndSupportsJoinTheCurrentTransaction() throws Exception {
    tm.begin();
    Transaction outer = tm.getTransaction();
    assertSame(outer, types.required(tm::getTransaction));
    assertSame(outer, types.mandatory(tm::getTransaction));
    assertSame(outer, types.supports(tm::getTransaction));
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "joining must not complete it");
    tm.commit();
  }

  @Test
  void requiresNewSuspendsRunsItsOwnCommitsAndResumes() throws Exception {
    tm.begin();
    Transaction outer = tm.getTransaction();
    AtomicInteger outerOutcome = watch();
    AtomicInteger[] innerOutcome = new AtomicInteger[1];
    Transaction inner =
        types.requiresNew(
            () -> {
              innerOutcome[0] = watch();
              return tm.getTransaction();
            });
    assertNotNull(inner);
    assertNotEquals(outer, inner);
    assertEquals(Status.STATUS_COMMITTED, innerOutcome[0].get());
    assertSame(outer, tm.getTransaction(), "the outer transaction is resumed");
    assertEquals(-1, outerOutcome.get());
    tm.rollback();
    assertEquals(Status.STATUS_ROLLEDBACK, outerOutcome.get());
  }

  @Test
  void requiresNewThatFailsRollsBackItsOwnAndResumesTheOuterUntouched() throws Exception {
    tm.begin();
    Transaction outer = tm.getTransaction();
    AtomicInteger[] innerOutcome = new AtomicInteger[1];
    IllegalStateException thrown = new IllegalStateException("inner fails");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                types.requiresNew(
                    () -> {
                      innerOutcome[0] = watch();
                      throw thrown;
                    }));
    assertSame(thrown, e);
    assertEquals(Status.STATUS_ROLLEDBACK, innerOutcome[0].get());
    assertSame(outer, tm.getTransaction());
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "the outer is not marked by the inner");
    tm.commit();
  }

  @Test
  void notSupportedSuspendsAndResumes() throws Exception {
    tm.begin();
    Transaction outer = tm.getTransaction();
    assertNull(types.notSupported(tm::getTransaction));
    assertSame(outer, tm.getTransaction());
    tm.commit();
  }

  @Test
  void notSupportedResumesAfterAnExceptionToo() throws Exception {
    tm.begin();
    Transaction outer = tm.getTransaction();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            types.notSupported(
                () -> {
                  throw new IllegalArgumentException("x");
                }));
    assertSame(outer, tm.getTransaction());
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "no transaction to mark inside");
    tm.commit();
  }

  @Test
  void neverWithTransactionThrowsWithInvalidTransactionException() throws Exception {
    tm.begin();
    AtomicInteger ran = new AtomicInteger();
    TransactionalException e =
        assertThrows(TransactionalException.class, () -> types.never(ran::incrementAndGet));
    assertInstanceOf(InvalidTransactionException.class, e.getCause());
    assertEquals(0, ran.get());
    tm.rollback();
  }

  @Test
  void neverCalledFromRequiredRollsTheRequiredTransactionBack() {
    AtomicInteger[] outcome = new AtomicInteger[1];
    TransactionalException e =
        assertThrows(
            TransactionalException.class,
            () ->
                types.required(
                    () -> {
                      outcome[0] = watch();
                      return types.never(() -> null);
                    }));
    assertInstanceOf(InvalidTransactionException.class, e.getCause());
    assertEquals(Status.STATUS_ROLLEDBACK, outcome[0].get());
  }

  // ---- completion of a transaction the interceptor began ----

  @Test
  void setRollbackOnlyThenReturnRollsBackAndTellsTheCaller() {
    AtomicInteger[] outcome = new AtomicInteger[1];
    TransactionalException e =
        assertThrows(
            TransactionalException.class,
            () ->
                types.required(
                    () -> {
                      outcome[0] = watch();
                      tsr.setRollbackOnly();
                      return "done";
                    }));
    assertInstanceOf(RollbackException.class, e.getCause());
    assertEquals(Status.STATUS_ROLLEDBACK, outcome[0].get());
  }

  // ---- rollbackOn / dontRollbackOn ----

  /** Runs {@code method} with a body that throws {@code t}; returns the completion status. */
  private static int outcome(Rule method, Throwable t) throws Exception {
    AtomicInteger[] status = new AtomicInteger[1];
    Callable<?> body =
        () -> {
          status[0] = watch();
          if (t instanceof Error err) {
            throw err;
          }
          throw (Exception) t;
        };
    Throwable thrown = assertThrows(Throwable.class, () -> method.call(body));
    assertSame(t, thrown, "the exception reaches the caller as thrown");
    return status[0].get();
  }

  @FunctionalInterface
  private interface Rule {
    Object call(Callable<?> body) throws Exception;
  }

  @Test
  void byDefaultRuntimeExceptionsAndErrorsRollBackCheckedExceptionsCommit() throws Exception {
    assertEquals(Status.STATUS_ROLLEDBACK, outcome(rules::defaults, new IllegalStateException()));
    assertEquals(Status.STATUS_ROLLEDBACK, outcome(rules::defaults, new AssertionError("e")));
    assertEquals(Status.STATUS_COMMITTED, outcome(rules::defaults, new IOException()));
    assertEquals(Status.STATUS_COMMITTED, outcome(rules::defaults, new SQLException()));
  }

  @Test
  void rollbackOnMakesCheckedExceptionsRollBack() throws Exception {
    assertEquals(Status.STATUS_ROLLEDBACK, outcome(rules::rollbackOnException, new IOException()));
    assertEquals(
        Status.STATUS_ROLLEDBACK, outcome(rules::rollbackOnException, new RuntimeException()));
  }

  @Test
  void dontRollbackOnAppliesToSubclassesAndLeavesOtherRuntimeExceptionsAlone() throws Exception {
    assertEquals(
        Status.STATUS_COMMITTED,
        outcome(rules::dontRollbackOnIllegalState, new IllegalStateException()));
    assertEquals(
        Status.STATUS_COMMITTED,
        outcome(
            rules::dontRollbackOnIllegalState,
            new java.nio.channels.NonWritableChannelException())); // an IllegalStateException
    assertEquals(
        Status.STATUS_ROLLEDBACK,
        outcome(rules::dontRollbackOnIllegalState, new IllegalArgumentException()));
  }

  @Test
  void dontRollbackOnWinsOverRollbackOn() throws Exception {
    assertEquals(Status.STATUS_ROLLEDBACK, outcome(rules::sqlButNotWarnings, new SQLException()));
    assertEquals(Status.STATUS_COMMITTED, outcome(rules::sqlButNotWarnings, new SQLWarning()));
    assertEquals(Status.STATUS_COMMITTED, outcome(rules::bothSame, new IOException()));
    assertEquals(Status.STATUS_COMMITTED, outcome(rules::dontRollbackOnError, new Error("e")));
  }

  @Test
  void classLevelRulesApplyAndAMethodAnnotationOverridesThem() throws Exception {
    assertEquals(Status.STATUS_ROLLEDBACK, outcome(classLevel::inherited, new IOException()));
    // The method's SUPPORTS + dontRollbackOn replace the class's REQUIRES_NEW + rollbackOn.
    assertEquals(Status.STATUS_NO_TRANSACTION, (int) classLevel.overridden(tm::getStatus));
    tm.begin();
    AtomicInteger outer = watch();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            classLevel.overridden(
                () -> {
                  throw new IllegalArgumentException();
                }));
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "dontRollbackOn of the method applies");
    assertThrows(
        IOException.class,
        () ->
            classLevel.overridden(
                () -> {
                  throw new IOException();
                }));
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "the class's rollbackOn does not apply");
    tm.commit();
    assertEquals(Status.STATUS_COMMITTED, outer.get());
  }

  @Test
  void aStereotypeCarriesTheAnnotationAndItsRules() throws Exception {
    assertEquals(Status.STATUS_ACTIVE, (int) stereotyped.run(tm::getStatus));
    assertEquals(Status.STATUS_ROLLEDBACK, outcome(stereotyped::run, new IOException()));
    assertEquals(Status.STATUS_COMMITTED, outcome(stereotyped::run, new SQLException()));
  }

  @Test
  void anExceptionInAJoinedTransactionMarksItRollbackOnlyPerTheRules() throws Exception {
    tm.begin();
    assertThrows(
        IOException.class,
        () ->
            rules.defaults(
                () -> {
                  throw new IOException();
                }));
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "checked: not marked");
    assertThrows(
        IOException.class,
        () ->
            rules.rollbackOnException(
                () -> {
                  throw new IOException();
                }));
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus(), "rollbackOn: marked");
    tm.rollback();
  }
}
