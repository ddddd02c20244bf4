package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.transaction.xa.XAException;

/**
 * Synchronizations: beforeCompletion before the two-phase commit starts and in the transaction's
 * context, afterCompletion after it with the outcome; interposed ones (TSR Javadoc) have their
 * beforeCompletion after every regular one and their afterCompletion before every regular one;
 * registration refused when rollback-only (RollbackException) or after completion has started
 * (IllegalStateException).
 */
class SynchronizationCases extends CaseBase {

  @Conformance
  void beforeCompletionRunsBeforePrepareAndAfterCompletionAfterCommit(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    AtomicReference<String> context = new AtomicReference<>();
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.enlistResource(a);
    tx.enlistResource(b);
    tx.registerSynchronization(
        sync("s")
            .inBefore(
                () ->
                    context.set(
                        Statuses.name(t.tm().getStatus())
                            + (t.tm().getTransaction().equals(tx) ? " same" : " other"))));
    t.tm().commit();
    List<String> all = log.all();
    int before = all.indexOf("s.before");
    int after = all.indexOf("s.after(COMMITTED)");
    assertTrue(before >= 0 && after >= 0, all.toString());
    assertTrue(before < all.indexOf("a.prepare(x1)"), all.toString());
    assertTrue(before < all.indexOf("b.prepare(x2)"), all.toString());
    assertTrue(after > all.indexOf("a.commit(x1)"), all.toString());
    assertTrue(after > all.indexOf("b.commit(x2)"), all.toString());
    assertEquals("ACTIVE same", context.get(), "beforeCompletion runs in the transaction");
  }

  @Conformance
  void beforeCompletionRunsBeforeTheResourcesAreEnded(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().getTransaction().registerSynchronization(sync("s"));
    t.tm().commit();
    assertEquals(
        List.of(
            "a.start(x1,TMNOFLAGS)",
            "s.before",
            "a.end(x1,TMSUCCESS)",
            "a.commit(x1,1pc)",
            "s.after(COMMITTED)"),
        log.all());
  }

  @Conformance
  @Divergence(
      what = "the order of afterCompletion among regular (and among interposed) synchronizations",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "the Javadoc orders interposed against regular ones only; xatm calls each group in"
              + " registration order, Narayana calls afterCompletion in reverse registration order")
  void interposedBeforeCompletionLastAndAfterCompletionFirst(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    t.tsr().registerInterposedSynchronization(sync("i1"));
    tx.registerSynchronization(sync("r1"));
    t.tsr().registerInterposedSynchronization(sync("i2"));
    tx.registerSynchronization(sync("r2"));
    t.tm().commit();
    List<String> xatm =
        List.of(
            "r1.before",
            "r2.before",
            "i1.before",
            "i2.before",
            "i1.after(COMMITTED)",
            "i2.after(COMMITTED)",
            "r1.after(COMMITTED)",
            "r2.after(COMMITTED)");
    List<String> narayana =
        List.of(
            "r1.before",
            "r2.before",
            "i1.before",
            "i2.before",
            "i2.after(COMMITTED)",
            "i1.after(COMMITTED)",
            "r2.after(COMMITTED)",
            "r1.after(COMMITTED)");
    assertEquals(t.is(Column.XATM) ? xatm : narayana, log.all());
  }

  @Conformance
  void rollbackCallsOnlyAfterCompletion(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    t.tm().getTransaction().registerSynchronization(sync("r"));
    t.tsr().registerInterposedSynchronization(sync("i"));
    t.tm().rollback();
    assertEquals(List.of("i.after(ROLLEDBACK)", "r.after(ROLLEDBACK)"), log.all());
  }

  @Conformance
  void commitOfARollbackOnlyTransactionCallsOnlyAfterCompletion(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    t.tm().getTransaction().registerSynchronization(sync("r"));
    t.tm().setRollbackOnly();
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(List.of("r.after(ROLLEDBACK)"), log.all());
  }

  @Conformance
  void beforeCompletionThatThrowsRollsBackAndCommitThrowsRollbackException(Column c)
      throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm()
        .getTransaction()
        .registerSynchronization(
            sync("s")
                .inBefore(
                    () -> {
                      throw new IllegalStateException("flush failed");
                    }));
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(ScriptedXAResource.BranchState.ROLLED_BACK, a.state("x1"));
    assertEquals(List.of("before", "after(ROLLEDBACK)"), log.of("s"));
    assertEquals(Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
  }

  @Conformance
  void afterCompletionThatThrowsDoesNotChangeTheOutcome(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm()
        .getTransaction()
        .registerSynchronization(
            sync("s")
                .inAfter(
                    () -> {
                      throw new IllegalStateException("cleanup failed");
                    }));
    t.tm().getTransaction().registerSynchronization(sync("s2"));
    t.tm().commit();
    assertEquals(ScriptedXAResource.BranchState.COMMITTED, a.state("x1"));
    assertEquals(List.of("before", "after(COMMITTED)"), log.of("s2"), "the others still run");
  }

  @Conformance
  void synchronizationRegisteredInBeforeCompletionIsCalled(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.registerSynchronization(
        sync("first")
            .inBefore(
                () -> {
                  tx.registerSynchronization(sync("late"));
                  t.tsr().registerInterposedSynchronization(sync("lateInterposed"));
                }));
    t.tm().commit();
    assertEquals(List.of("before", "after(COMMITTED)"), log.of("late"));
    assertEquals(List.of("before", "after(COMMITTED)"), log.of("lateInterposed"));
  }

  @Conformance
  void registerOnARollbackOnlyTransactionThrowsRollbackException(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    t.tm().setRollbackOnly();
    assertThrows(
        RollbackException.class, () -> t.tm().getTransaction().registerSynchronization(sync("s")));
    t.tm().rollback();
    assertEquals(List.of(), log.of("s"));
  }

  @Conformance
  @Divergence(
      what = "registerInterposedSynchronization on a rollback-only transaction",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "the TSR Javadoc throws IllegalStateException only without an active transaction or"
              + " after two-phase commit started; xatm accepts the synchronization (it gets"
              + " afterCompletion), Narayana refuses it with IllegalStateException")
  void registerInterposedOnARollbackOnlyTransaction(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    t.tm().setRollbackOnly();
    if (t.is(Column.XATM)) {
      t.tsr().registerInterposedSynchronization(sync("i"));
    } else {
      assertThrows(
          IllegalStateException.class, () -> t.tsr().registerInterposedSynchronization(sync("i")));
    }
    t.tm().rollback();
    assertEquals(
        t.is(Column.XATM) ? List.of("after(ROLLEDBACK)") : List.of(), log.of("i"), log.toString());
  }

  @Conformance
  void registerWithoutATransactionOrAfterCompletionThrowsIllegalState(Column c) throws Exception {
    TmUnderTest t = open(c);
    assertThrows(
        IllegalStateException.class, () -> t.tsr().registerInterposedSynchronization(sync("i")));
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    t.tm().commit();
    assertThrows(IllegalStateException.class, () -> tx.registerSynchronization(sync("late")));
  }

  @Conformance
  void registerInsideAfterCompletionThrowsIllegalState(Column c) throws Exception {
    TmUnderTest t = open(c);
    AtomicReference<Throwable> regular = new AtomicReference<>();
    AtomicReference<Throwable> interposed = new AtomicReference<>();
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.registerSynchronization(
        sync("s")
            .inAfter(
                () -> {
                  try {
                    tx.registerSynchronization(sync("late"));
                  } catch (IllegalStateException | RollbackException e) {
                    regular.set(e);
                  }
                  try {
                    t.tsr().registerInterposedSynchronization(sync("lateInterposed"));
                  } catch (IllegalStateException e) {
                    interposed.set(e);
                  }
                }));
    t.tm().commit();
    assertTrue(regular.get() instanceof IllegalStateException, String.valueOf(regular.get()));
    assertTrue(interposed.get() instanceof IllegalStateException, String.valueOf(interposed.get()));
    assertEquals(List.of(), log.of("late"));
  }

  @Conformance
  void afterCompletionSeesTheOutcomeOfAFailedCommit(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a =
        resource("a").failNext(ScriptedXAResource.Op.COMMIT, XAException.XA_RBCOMMFAIL);
    t.tm().begin();
    t.tm().getTransaction().enlistResource(a);
    t.tm().getTransaction().registerSynchronization(sync("s"));
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(List.of("before", "after(ROLLEDBACK)"), log.of("s"));
    assertEquals(
        List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "commit(x1,1pc)"), log.of("a"));
  }

  @Conformance
  void synchronizationOfATransactionCompletedOnAnotherThread(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.registerSynchronization(sync("s"));
    Transaction suspended = t.tm().suspend();
    onOtherThread(
        () -> {
          t.tm().resume(suspended);
          t.tm().commit();
          return null;
        });
    assertEquals(List.of("before", "after(COMMITTED)"), log.of("s"));
    assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
  }

  /**
   * The TSR Javadoc: an interposed beforeCompletion "will be called after all ... callbacks
   * registered directly with the Transaction". A regular synchronization registered once the
   * interposed ones have started cannot be called before them any more, so it must be refused.
   */
  @Conformance
  void regularSynchronizationRegisteredByAnInterposedOneIsRefused(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.registerSynchronization(sync("r1"));
    t.tsr()
        .registerInterposedSynchronization(
            sync("i1")
                .inBefore(
                    () ->
                        log.add(
                            "i1",
                            outcome(
                                () -> {
                                  tx.registerSynchronization(sync("r2"));
                                  return null;
                                }))));
    t.tsr().registerInterposedSynchronization(sync("i2"));
    t.tm().commit();
    assertEquals(
        List.of("r1.before", "i1.before", "i1.IllegalStateException", "i2.before"),
        befores(),
        "no regular beforeCompletion after an interposed one");
    assertEquals(
        List.of("i1.after(COMMITTED)", "i2.after(COMMITTED)", "r1.after(COMMITTED)"), afters());
  }

  @Conformance
  void aThrowingBeforeCompletionStopsTheOtherBeforeCompletions(Column c) throws Exception {
    TmUnderTest t = open(c);
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    tx.registerSynchronization(
        sync("r1")
            .inBefore(
                () -> {
                  throw new IllegalStateException("flush failed");
                }));
    tx.registerSynchronization(sync("r2"));
    t.tsr().registerInterposedSynchronization(sync("i1"));
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(List.of("r1.before"), befores(), "the first failure stops beforeCompletion");
    assertEquals(
        List.of("i1.after(ROLLEDBACK)", "r1.after(ROLLEDBACK)", "r2.after(ROLLEDBACK)"),
        afters(),
        "every synchronization gets afterCompletion");
  }

  /** The log without afterCompletion entries. */
  private List<String> befores() {
    return log.all().stream().filter(e -> !e.contains(".after(")).toList();
  }

  /**
   * The afterCompletion entries, interposed ones first, each group sorted (the order within a group
   * is the divergence of interposedBeforeCompletionLastAndAfterCompletionFirst).
   */
  private List<String> afters() {
    List<String> after = log.all().stream().filter(e -> e.contains(".after(")).toList();
    int firstRegular = 0;
    while (firstRegular < after.size() && after.get(firstRegular).startsWith("i")) {
      firstRegular++;
    }
    List<String> out =
        new java.util.ArrayList<>(after.subList(0, firstRegular).stream().sorted().toList());
    out.addAll(after.subList(firstRegular, after.size()).stream().sorted().toList());
    return out;
  }
}
