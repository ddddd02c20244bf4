package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xatm.conformance.ScriptedXAResource.BranchState;
import dev.xatm.conformance.ScriptedXAResource.Op;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * Completion through XA: one-phase commit for one branch, two-phase for several, read-only votes,
 * XA_RB* votes and prepare failures (RollbackException, every branch rolled back), and heuristic
 * outcomes of commit and rollback mapped to HeuristicMixedException / HeuristicRollbackException
 * (the TransactionManager.commit Javadoc: "some relevant updates have been committed while others
 * have been rolled back" / "all relevant updates have been rolled back").
 */
class CompletionCases extends CaseBase {

  private Transaction beginWith(TmUnderTest t, ScriptedXAResource... rs) throws Exception {
    t.tm().begin();
    Transaction tx = t.tm().getTransaction();
    for (ScriptedXAResource r : rs) {
      tx.enlistResource(r);
    }
    return tx;
  }

  @Conformance
  void noResourceCommits(Column c) throws Exception {
    TmUnderTest t = open(c);
    Transaction tx = beginWith(t);
    t.tm().commit();
    assertEquals(jakarta.transaction.Status.STATUS_COMMITTED, tx.getStatus());
  }

  @Conformance
  void oneResourceIsCommittedInOnePhase(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    beginWith(t, a);
    t.tm().commit();
    assertEquals(
        List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "commit(x1,1pc)"), log.of("a"));
  }

  @Conformance
  void twoResourcesArePreparedThenCommitted(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    beginWith(t, a, b);
    t.tm().commit();
    assertEquals(
        List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "prepare(x1)", "commit(x1)"),
        log.of("a"));
    assertEquals(
        List.of("start(x2,TMNOFLAGS)", "end(x2,TMSUCCESS)", "prepare(x2)", "commit(x2)"),
        log.of("b"));
    List<String> all = log.all();
    assertEquals(
        true,
        Math.max(all.indexOf("a.prepare(x1)"), all.indexOf("b.prepare(x2)"))
            < Math.min(all.indexOf("a.commit(x1)"), all.indexOf("b.commit(x2)")),
        "every prepare before any commit: " + all);
  }

  @Conformance
  @Divergence(
      what = "phase 1 when the first of two branches votes read-only",
      follows = Divergence.Spec.BOTH,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "Narayana prepares in order and, once every branch but the last voted read-only,"
              + " commits the last in one phase; xatm prepares every branch in parallel (one"
              + " round trip of latency), so it cannot know the others' votes and prepares the last"
              + " too. Both are valid XA")
  void readOnlyVoteIsNotCommitted(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a").vote(XAResource.XA_RDONLY);
    ScriptedXAResource b = resource("b");
    beginWith(t, a, b);
    t.tm().commit();
    assertEquals(List.of("start(x1,TMNOFLAGS)", "end(x1,TMSUCCESS)", "prepare(x1)"), log.of("a"));
    assertEquals(BranchState.COMMITTED, b.state("x2"));
    assertEquals(
        t.is(Column.XATM)
            ? List.of("start(x2,TMNOFLAGS)", "end(x2,TMSUCCESS)", "prepare(x2)", "commit(x2)")
            : List.of("start(x2,TMNOFLAGS)", "end(x2,TMSUCCESS)", "commit(x2,1pc)"),
        log.of("b"));
  }

  @Conformance
  @Divergence(
      what = "every branch read-only: is the last one prepared or committed in one phase",
      follows = Divergence.Spec.BOTH,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "as for one read-only vote: Narayana commits the last branch in one phase, xatm"
              + " prepares all in parallel and, all being read-only, sends no phase 2 at all")
  void allReadOnlyCommitsWithoutPhaseTwo(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a").vote(XAResource.XA_RDONLY);
    ScriptedXAResource b = resource("b").vote(XAResource.XA_RDONLY);
    Transaction tx = beginWith(t, a, b);
    t.tm().commit();
    assertEquals(jakarta.transaction.Status.STATUS_COMMITTED, tx.getStatus());
    assertEquals("prepare(x1)", last(log.of("a")));
    assertEquals(t.is(Column.XATM) ? "prepare(x2)" : "commit(x2,1pc)", last(log.of("b")));
  }

  @Conformance
  void rollbackVoteRollsBackTheOthersAndCommitThrowsRollbackException(Column c) throws Exception {
    for (int vote :
        new int[] {
          XAException.XA_RBROLLBACK, XAException.XA_RBDEADLOCK, XAException.XA_RBTIMEOUT
        }) {
      TmUnderTest t = open(c);
      CallLog before = log;
      ScriptedXAResource a = resource("a" + vote);
      ScriptedXAResource b = resource("b" + vote).vote(vote);
      beginWith(t, a, b);
      assertThrows(RollbackException.class, t.tm()::commit, "vote " + vote);
      assertEquals(BranchState.ROLLED_BACK, a.state(label(before, a)), "vote " + vote);
      assertEquals(BranchState.ROLLED_BACK, b.state(label(before, b)));
      assertEquals(
          "rollback(" + label(before, a) + ")", last(log.of(a.name())), "the prepared one");
    }
  }

  @Conformance
  void prepareFailureRollsBackEveryBranch(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b").failNext(Op.PREPARE, XAException.XAER_RMERR);
    beginWith(t, a, b);
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(BranchState.ROLLED_BACK, a.state("x1"));
    assertEquals(BranchState.ROLLED_BACK, b.state("x2"));
  }

  @Conformance
  void onePhaseCommitRolledBackByTheResourceThrowsRollbackException(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a").failNext(Op.COMMIT, XAException.XA_RBROLLBACK);
    beginWith(t, a);
    assertThrows(RollbackException.class, t.tm()::commit);
    assertEquals(BranchState.ROLLED_BACK, a.state("x1"));
  }

  @Conformance
  @Divergence(
      what = "one-phase commit answered XA_HEURRB: the exception",
      follows = Divergence.Spec.XATM,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "the Javadoc's HeuristicRollbackException is 'a heuristic decision was made and all"
              + " relevant updates have been rolled back'; xatm throws it; Narayana throws"
              + " RollbackException (the outcome is a consistent rollback). Both forget")
  void onePhaseHeuristicRollback(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a").failNext(Op.COMMIT, XAException.XA_HEURRB);
    beginWith(t, a);
    if (t.is(Column.XATM)) {
      assertThrows(HeuristicRollbackException.class, t.tm()::commit);
      assertEquals("forget(x1)", last(log.of("a")));
    } else {
      assertThrows(RollbackException.class, t.tm()::commit);
      assertEquals("forget(x1)", last(log.of("a")));
    }
  }

  @Conformance
  @Divergence(
      what = "forget after XA_HEURMIX of a one-phase commit",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "JTA does not say; X/Open XA has the RM remember a heuristic until xa_forget. xatm logs"
              + " the heuristic durably and then sends forget after every heuristic (the log keeps"
              + " it for the operator); Narayana sends no forget after XA_HEURMIX here, nor after"
              + " a heuristic of one branch of several (two-phase cases below), leaving them to"
              + " its recovery or an operator; it does forget a one-phase XA_HEURRB/XA_HEURCOM and"
              + " an all-XA_HEURRB two-phase commit")
  void onePhaseHeuristicMixed(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a").failNext(Op.COMMIT, XAException.XA_HEURMIX);
    beginWith(t, a);
    assertThrows(HeuristicMixedException.class, t.tm()::commit);
    assertEquals(t.is(Column.XATM) ? "forget(x1)" : "commit(x1,1pc)", last(log.of("a")));
  }

  @Conformance
  void onePhaseHeuristicCommitIsACommit(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a").failNext(Op.COMMIT, XAException.XA_HEURCOM);
    beginWith(t, a);
    t.tm().commit();
    assertEquals("forget(x1)", last(log.of("a")));
  }

  @Conformance
  @Divergence(
      what = "forget after a two-phase XA_HEURRB on one branch",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why = "as onePhaseHeuristicMixed: xatm forgets after logging, Narayana does not")
  void twoPhaseOneBranchHeuristicRollbackIsMixed(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b").failNext(Op.COMMIT, XAException.XA_HEURRB);
    beginWith(t, a, b);
    assertThrows(HeuristicMixedException.class, t.tm()::commit);
    assertEquals(BranchState.COMMITTED, a.state("x1"));
    assertEquals(t.is(Column.XATM) ? "forget(x2)" : "commit(x2)", last(log.of("b")));
  }

  @Conformance
  @Divergence(
      what = "two-phase commit where every branch answers XA_HEURRB",
      follows = Divergence.Spec.XATM,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "every update was rolled back by a heuristic decision: the Javadoc's"
              + " HeuristicRollbackException, which xatm throws (it commits every branch in"
              + " parallel, both answer XA_HEURRB, both are forgotten). Narayana commits in order;"
              + " when the first answers XA_HEURRB and nothing is committed yet it rolls the rest"
              + " back and throws RollbackException")
  void twoPhaseEveryBranchHeuristicRollback(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a").failNext(Op.COMMIT, XAException.XA_HEURRB);
    ScriptedXAResource b = resource("b").failNext(Op.COMMIT, XAException.XA_HEURRB);
    beginWith(t, a, b);
    if (t.is(Column.XATM)) {
      assertThrows(HeuristicRollbackException.class, t.tm()::commit);
      assertEquals("forget(x1)", last(log.of("a")));
      assertEquals("forget(x2)", last(log.of("b")));
    } else {
      assertThrows(RollbackException.class, t.tm()::commit);
      assertEquals("forget(x1)", last(log.of("a")));
      assertEquals(
          List.of("start(x2,TMNOFLAGS)", "end(x2,TMSUCCESS)", "prepare(x2)", "rollback(x2)"),
          log.of("b"),
          "nothing committed yet: Narayana rolls the rest back");
    }
  }

  @Conformance
  @Divergence(
      what = "forget after a two-phase XA_HEURMIX",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why = "as onePhaseHeuristicMixed: xatm forgets after logging, Narayana does not")
  void twoPhaseHeuristicMixedOnOneBranch(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b").failNext(Op.COMMIT, XAException.XA_HEURMIX);
    beginWith(t, a, b);
    assertThrows(HeuristicMixedException.class, t.tm()::commit);
    assertEquals(t.is(Column.XATM) ? "forget(x2)" : "commit(x2)", last(log.of("b")));
  }

  @Conformance
  void twoPhaseHeuristicHazard(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b").failNext(Op.COMMIT, XAException.XA_HEURHAZ);
    beginWith(t, a, b);
    assertThrows(HeuristicMixedException.class, t.tm()::commit);
  }

  @Conformance
  @Divergence(
      what = "forget after a two-phase XA_HEURCOM",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why = "as onePhaseHeuristicMixed: xatm forgets after logging, Narayana does not")
  void twoPhaseHeuristicCommitIsACommit(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b").failNext(Op.COMMIT, XAException.XA_HEURCOM);
    beginWith(t, a, b);
    t.tm().commit();
    assertEquals(BranchState.COMMITTED, a.state("x1"));
    assertEquals(t.is(Column.XATM) ? "forget(x2)" : "commit(x2)", last(log.of("b")));
  }

  @Conformance
  @Divergence(
      what = "TransactionManager.rollback when a branch answers XA_HEURCOM",
      follows = Divergence.Spec.UNSPECIFIED,
      kind = Divergence.Kind.DELIBERATE,
      why =
          "rollback() can only throw SystemException; xatm throws it so the caller learns that"
              + " some work committed although it asked for a rollback (the heuristic is logged);"
              + " Narayana returns normally and only logs")
  void rollbackWithAHeuristicCommitOnABranch(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b").failNext(Op.ROLLBACK, XAException.XA_HEURCOM);
    beginWith(t, a, b);
    if (t.is(Column.XATM)) {
      assertThrows(SystemException.class, t.tm()::rollback);
    } else {
      t.tm().rollback();
    }
    assertEquals(jakarta.transaction.Status.STATUS_NO_TRANSACTION, t.tm().getStatus());
    assertEquals(BranchState.ROLLED_BACK, a.state("x1"));
  }

  @Conformance
  void rollbackWithAHeuristicRollbackOnABranchIsARollback(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b").failNext(Op.ROLLBACK, XAException.XA_HEURRB);
    beginWith(t, a, b);
    t.tm().rollback();
    assertEquals(BranchState.ROLLED_BACK, a.state("x1"));
  }

  @Conformance
  void rollbackEndsEveryBranchWithFailAndRollsItBack(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a");
    ScriptedXAResource b = resource("b");
    beginWith(t, a, b);
    t.tm().rollback();
    assertEquals(List.of("start(x1,TMNOFLAGS)", "end(x1,TMFAIL)", "rollback(x1)"), log.of("a"));
    assertEquals(List.of("start(x2,TMNOFLAGS)", "end(x2,TMFAIL)", "rollback(x2)"), log.of("b"));
  }

  @Conformance
  void commitFailureOfTheOnlyResourceWithAnRmError(Column c) throws Exception {
    TmUnderTest t = open(c);
    ScriptedXAResource a = resource("a").failNext(Op.COMMIT, XAException.XAER_RMERR);
    beginWith(t, a);
    Exception e = assertThrows(Exception.class, t.tm()::commit);
    assertEquals(RollbackException.class, e.getClass(), e.toString());
  }

  private static String last(List<String> calls) {
    return calls.isEmpty() ? "(none)" : calls.get(calls.size() - 1);
  }

  private static String label(CallLog log, ScriptedXAResource r) {
    String first = log.of(r.name()).get(0); // start(xN,TMNOFLAGS)
    return first.substring(first.indexOf('(') + 1, first.indexOf(','));
  }
}
