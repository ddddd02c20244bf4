package dev.xatm.tm.internal;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.MirrorDecisionException;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxLogException;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * Completes transactions with two-phase commit under presumed abort (DESIGN §2):
 *
 * <ol>
 *   <li>beforeCompletion, end every association;
 *   <li>no branch: nothing; one branch: {@code commit(xid, true)}, no log record;
 *   <li>several: ResourceRegistered (forced, once per resource), Begin (unforced), prepare in
 *       parallel; any failure or rollback vote rolls back every branch, no Committing; all
 *       read-only: no Committing;
 *   <li>Committing forced and awaited BEFORE any commit is sent; if it fails, roll back and stop
 *       accepting transactions (fail-stop);
 *   <li>commit in parallel; unconfirmed branches are retried in the background; End (unforced) once
 *       every branch is confirmed; heuristics are logged (forced) before {@code forget}.
 * </ol>
 *
 * <p>Every XA outcome goes through {@link XaClassifier}. Stateless apart from its context;
 * thread-safe; completes many transactions concurrently.
 */
public final class Coordinator {
  private static final System.Logger LOG = System.getLogger(Coordinator.class.getName());

  /** How long an owner's commit or rollback waits for the reaper's rollback of its transaction. */
  private static final Duration REAPER_WAIT = Duration.ofSeconds(30);

  private final TmContext ctx;

  private final PhaseTimes phaseTimes = new PhaseTimes();

  Coordinator(TmContext ctx) {
    this.ctx = ctx;
  }

  /** Runs one step over {@code branches}, in parallel only when that pays ({@link PhaseTimes}). */
  private BranchResult[] fork(
      List<TxBranch> branches, java.util.function.Function<TxBranch, BranchResult> step) {
    phaseTimes.enter();
    try {
      return BranchFork.run(
          ctx.phaseExecutor(),
          branches,
          b -> {
            long t0 = System.nanoTime();
            BranchResult r = step.apply(b);
            phaseTimes.record(
                b.descriptor == null ? null : b.descriptor.resourceId(), System.nanoTime() - t0);
            return r;
          },
          new BranchResult[branches.size()],
          phaseTimes.worthForking(branches));
    } finally {
      phaseTimes.exit();
    }
  }

  /** Transaction.commit: the whole protocol, afterCompletion included. */
  public void commit(XatmTransaction tx)
      throws RollbackException,
          HeuristicMixedException,
          HeuristicRollbackException,
          SystemException {
    if (!tx.startCompletion()) {
      if (tx.timedOut()) {
        // The reaper is rolling it back (or has): answer once it is done, so that the caller
        // never sees the transaction half rolled back.
        tx.awaitCompletion(REAPER_WAIT);
        throw rollbackException(tx, "timed out and was rolled back", tx.rollbackCause());
      }
      throw new IllegalStateException(
          "transaction " + tx.gtrid() + " is already completing or completed (" + tx.state() + ")");
    }
    tx.commitEvent = CommitEvent.started(); // ended in finish(tx), the one way to a terminal state
    if (ctx.clock().millis() >= tx.deadlineMillis()) {
      tx.markTimedOut();
    }
    if (tx.state() == TxState.ACTIVE) {
      Throwable failed = tx.synchronizations.beforeCompletion(tx.gtrid().toString());
      if (failed != null) {
        tx.markRollbackOnly(failed);
      }
    }
    tx.markPhase1Started();
    tx.endAllAssociations(tx.state() == TxState.MARKED_ROLLBACK);
    if (tx.state() == TxState.MARKED_ROLLBACK) {
      rollbackBranches(tx, tx.branches(), false);
      finish(tx);
      throw rollbackException(
          tx, tx.timedOut() ? "timed out" : "it was marked rollback-only", tx.rollbackCause());
    }
    List<TxBranch> branches = tx.branches();
    if (branches.size() <= 1) {
      onePhase(tx, branches);
    } else {
      twoPhase(tx, branches);
    }
  }

  /** Transaction.rollback by the application. */
  public void rollback(XatmTransaction tx) throws SystemException {
    if (!tx.startCompletion()) {
      if (tx.timedOut()) {
        // The reaper rolls it back (it may be doing so right now, as the owner's statement
        // returns from the reaper's cancel): the owner's rollback confirms it once it is done.
        if (!tx.awaitCompletion(REAPER_WAIT)) {
          LOG.log(
              Level.WARNING,
              "the timeout rollback of "
                  + tx.gtrid()
                  + " is still running after "
                  + REAPER_WAIT.toSeconds()
                  + " s; rollback() returns, the reaper finishes it");
        }
        return;
      }
      throw new IllegalStateException(
          "transaction " + tx.gtrid() + " is already completing or completed (" + tx.state() + ")");
    }
    tx.markPhase1Started();
    tx.endAllAssociations(true);
    List<BranchResult> results = rollbackBranches(tx, tx.branches(), false);
    finish(tx);
    if (AppOutcomes.anyProblem(results)) {
      throw systemException(
          "rollback of " + tx.gtrid() + " did not complete cleanly: " + describe(results),
          firstFailure(results));
    }
  }

  /**
   * Rolls back an expired transaction for the reaper. The caller has won {@link
   * XatmTransaction#startCompletion()} and checked that no association is active except quiet
   * interrupted ones (see {@link TimeoutReaper}), which this ends with TMFAIL.
   */
  void rollbackExpired(XatmTransaction tx) {
    tx.markPhase1Started();
    tx.endAllAssociations(true);
    rollbackBranches(tx, tx.branches(), false);
    finish(tx);
  }

  private void onePhase(XatmTransaction tx, List<TxBranch> branches)
      throws RollbackException, HeuristicMixedException, HeuristicRollbackException {
    tx.state.apply(TxTransition.COMMIT_ONE_PHASE);
    if (branches.isEmpty()) {
      tx.state.apply(TxTransition.FINISH_COMMIT);
      finish(tx);
      return;
    }
    TxBranch b = branches.get(0);
    Gtrid g = tx.gtrid();
    BranchResult r =
        call(
            XaPhase.ONE_PHASE_COMMIT,
            b,
            () -> {
              ctx.failpoints().hit(Failpoint.BEFORE_ONE_PHASE_COMMIT, g, b.xid.branch());
              b.resource.commit(b.xid, true);
              return XAResource.XA_OK;
            });
    recordHeuristic(g, r);
    switch (r.fate()) {
      case COMMITTED -> {
        tx.state.apply(TxTransition.FINISH_COMMIT);
        finish(tx);
      }
      case ROLLED_BACK, NEEDS_ROLLBACK -> {
        tx.state.apply(TxTransition.ONE_PHASE_FAILED);
        if (r.fate() == BranchFate.NEEDS_ROLLBACK) {
          List<BranchResult> rb = rollbackCalls(g, List.of(b));
          scheduleRetries(g, rb, Outcome.ROLLED_BACK, false);
        }
        tx.state.apply(TxTransition.FINISH_ROLLBACK);
        finish(tx);
        throw rollbackException(
            tx, "one-phase commit failed: " + r.verdict().meaning(), r.failure());
      }
      default -> {
        tx.state.apply(TxTransition.FINISH_HEURISTIC_AFTER_COMMIT);
        finish(tx);
        throwHeuristic(tx, r.verdict().app(), List.of(r));
      }
    }
  }

  private void twoPhase(XatmTransaction tx, List<TxBranch> branches)
      throws RollbackException,
          HeuristicMixedException,
          HeuristicRollbackException,
          SystemException {
    Gtrid g = tx.gtrid();
    Failpoints fp = ctx.failpoints();
    try {
      for (TxBranch b : branches) {
        if (b.descriptor != null) {
          ctx.registrar().ensureRegistered(b.descriptor);
        }
      }
    } catch (TxLogException e) {
      ctx.failStop().trip(e);
      tx.markRollbackOnly(e);
      rollbackBranches(tx, branches, false);
      finish(tx);
      throw rollbackException(tx, "the log could not register a resource", e);
    }
    tx.state.apply(TxTransition.START_PREPARE);
    List<Branch> logged = logged(branches);
    ctx.log().logBegin(g, logged, tx.deadlineMillis()).whenComplete(this::tripOnFailure);

    BranchResult[] votes =
        fork(
            branches,
            b ->
                call(
                    XaPhase.PREPARE,
                    b,
                    () -> {
                      fp.hit(Failpoint.BEFORE_PREPARE, g, b.xid.branch());
                      int v = b.resource.prepare(b.xid);
                      fp.hit(Failpoint.AFTER_PREPARE, g, b.xid.branch());
                      return v;
                    }));
    List<TxBranch> prepared = new ArrayList<>(branches.size());
    List<BranchResult> phase1 = List.of(votes);
    boolean allVotedCommit = true;
    for (BranchResult v : votes) {
      recordHeuristic(g, v);
      v.branch().fate = v.fate();
      if (v.fate() == BranchFate.PREPARED) {
        v.branch().everPrepared = true;
        prepared.add(v.branch());
      } else if (v.fate() != BranchFate.READ_ONLY) {
        allVotedCommit = false;
      }
    }
    if (!allVotedCommit) {
      List<BranchResult> rb = rollbackBranches(tx, branches, true);
      List<BranchResult> all = new ArrayList<>(phase1);
      all.addAll(rb);
      finish(tx);
      if (AppOutcomes.afterRollbackDecision(all) == AppOutcome.HEURISTIC_MIXED) {
        throwHeuristic(tx, AppOutcome.HEURISTIC_MIXED, all);
      }
      throw rollbackException(tx, "phase 1 failed: " + describe(phase1), firstFailure(phase1));
    }
    if (prepared.isEmpty()) {
      tx.state.apply(TxTransition.FINISH_READ_ONLY);
      ctx.log().logEnd(g, Outcome.COMMITTED).whenComplete(this::tripOnFailure);
      finish(tx);
      return;
    }
    String fenced = ctx.decisionGate().refusal();
    if (fenced != null) {
      // Not a log failure: the node may decide again once its lease is renewed. The Begin is
      // logged, so its End is too once every branch is rolled back.
      tx.markRollbackOnly(new IllegalStateException(fenced));
      rollbackBranches(tx, branches, true);
      finish(tx);
      throw rollbackException(tx, "no commit decision may be made now: " + fenced, null);
    }
    try {
      fp.hit(Failpoint.BEFORE_COMMITTING_DURABLE, g, 0);
      ctx.log().logCommitting(g, logged(prepared));
    } catch (MirrorDecisionException e) {
      undecidedByMirror(tx, branches, e); // returns only when the decision was made
    } catch (TxLogException | RuntimeException e) {
      ctx.failStop().trip(e);
      tx.markRollbackOnly(e);
      rollbackBranches(tx, branches, false);
      finish(tx);
      throw rollbackException(tx, "the log could not make the commit decision durable", e);
    }
    try {
      fp.hit(Failpoint.AFTER_COMMITTING_DURABLE, g, 0);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "failpoint after Committing of " + g + " ignored: decided", e);
    }
    tx.state.apply(TxTransition.DECIDE_COMMIT);
    BranchResult[] commits =
        fork(
            prepared,
            b ->
                call(
                    XaPhase.COMMIT,
                    b,
                    () -> {
                      fp.hit(Failpoint.BEFORE_COMMIT, g, b.xid.branch());
                      b.resource.commit(b.xid, false);
                      fp.hit(Failpoint.AFTER_COMMIT, g, b.xid.branch());
                      return XAResource.XA_OK;
                    }));
    List<BranchResult> phase2 = List.of(commits);
    for (BranchResult c : phase2) {
      recordHeuristic(g, c);
      c.branch().fate = c.fate();
    }
    scheduleRetries(g, phase2, Outcome.COMMITTED, true);
    AppOutcome app = AppOutcomes.afterCommitDecision(phase2);
    tx.state.apply(
        app == AppOutcome.NORMAL
            ? TxTransition.FINISH_COMMIT
            : TxTransition.FINISH_HEURISTIC_AFTER_COMMIT);
    finish(tx);
    if (app != AppOutcome.NORMAL) {
      throwHeuristic(tx, app, phase2);
    }
  }

  /**
   * A cluster-mode decision that did not complete normally (docs/cluster.md, "Decision mirror").
   * Refused: certainly not decided, roll back (the node may decide again later). Unknown: the
   * branches stay prepared until the mirror settles it and recovery finishes them; the application
   * hears that the outcome is not known yet. Decided but not durable locally: the TM stops as after
   * a log failure, and this transaction goes on to phase 2, as decided.
   */
  private void undecidedByMirror(
      XatmTransaction tx, List<TxBranch> branches, MirrorDecisionException e)
      throws RollbackException, SystemException {
    switch (e.state()) {
      case REFUSED -> {
        tx.markRollbackOnly(e);
        rollbackBranches(tx, branches, true);
        finish(tx);
        throw rollbackException(tx, "no commit decision may be made now: " + e.getMessage(), e);
      }
      case UNKNOWN -> {
        tx.state.apply(TxTransition.DECISION_UNKNOWN);
        finish(tx);
        SystemException s =
            new SystemException(
                "the outcome of "
                    + tx.gtrid()
                    + " is not known yet: "
                    + e.getMessage()
                    + ". Its branches stay prepared; it is committed if the decision reached the"
                    + " cluster database, rolled back otherwise");
        s.initCause(e);
        throw s;
      }
      case DECIDED -> {
        ctx.failStop().trip(e);
        LOG.log(Level.ERROR, "decision for " + tx.gtrid() + " is in the cluster mirror only", e);
      }
    }
  }

  /**
   * Rolls back every branch that may hold work. With {@code beginLogged}, End is written once every
   * branch is confirmed (now, or by the background retry).
   */
  private List<BranchResult> rollbackBranches(
      XatmTransaction tx, List<TxBranch> branches, boolean beginLogged) {
    tx.state.tryApply(TxTransition.START_ROLLBACK);
    List<TxBranch> toRollBack = new ArrayList<>(branches.size());
    for (TxBranch b : branches) {
      BranchFate f = b.fate;
      if (f != BranchFate.ROLLED_BACK && f != BranchFate.READ_ONLY && f != BranchFate.HEURISTIC) {
        toRollBack.add(b);
      }
    }
    List<BranchResult> results = rollbackCalls(tx.gtrid(), toRollBack);
    boolean retrying = scheduleRetries(tx.gtrid(), results, Outcome.ROLLED_BACK, beginLogged);
    if (beginLogged && !retrying) {
      ctx.log().logEnd(tx.gtrid(), Outcome.ROLLED_BACK).whenComplete(this::tripOnFailure);
    }
    boolean mixed =
        results.stream().anyMatch(r -> r.verdict().app() == AppOutcome.HEURISTIC_MIXED)
            || branches.stream().anyMatch(b -> b.fate == BranchFate.HEURISTIC);
    tx.state.apply(
        mixed ? TxTransition.FINISH_HEURISTIC_AFTER_ROLLBACK : TxTransition.FINISH_ROLLBACK);
    return results;
  }

  private List<BranchResult> rollbackCalls(Gtrid g, List<TxBranch> branches) {
    if (branches.isEmpty()) {
      return List.of();
    }
    BranchResult[] results =
        fork(
            branches,
            b ->
                call(
                    b.rollbackPhase(),
                    b,
                    () -> {
                      b.resource.rollback(b.xid);
                      return XAResource.XA_OK;
                    }));
    for (BranchResult r : results) {
      recordHeuristic(g, r);
      r.branch().fate = r.fate();
    }
    return List.of(results);
  }

  /** Hands unconfirmed branches to the retrier; returns whether any was. */
  private boolean scheduleRetries(
      Gtrid g, List<BranchResult> results, Outcome outcome, boolean writeEnd) {
    List<TxBranch> retry = new ArrayList<>();
    for (BranchResult r : results) {
      if (r.fate() == BranchFate.RETRY) {
        retry.add(r.branch());
        LogLines.log(
            LOG,
            Level.WARNING,
            (outcome == Outcome.COMMITTED ? "commit" : "rollback")
                + " of "
                + r.branch().describe()
                + " not confirmed ("
                + r.verdict().meaning()
                + "); retrying in the background",
            r.failure());
      }
    }
    if (!retry.isEmpty()) {
      ctx.retrier().schedule(g, retry, outcome, writeEnd);
      return true;
    }
    if (writeEnd && outcome == Outcome.COMMITTED) {
      writeEnd(g, Outcome.COMMITTED);
    }
    return false;
  }

  /** Writes End through the failpoints around it. */
  void writeEnd(Gtrid g, Outcome outcome) {
    try {
      ctx.failpoints().hit(Failpoint.BEFORE_END, g, 0);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "failpoint before End of " + g + " ignored", e);
    }
    ctx.log().logEnd(g, outcome).whenComplete(this::tripOnFailure);
    try {
      ctx.failpoints().hit(Failpoint.AFTER_END, g, 0);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "failpoint after End of " + g + " ignored", e);
    }
  }

  /** Logs a heuristic durably, then tells the resource to forget it (only if it reported one). */
  void recordHeuristic(Gtrid g, BranchResult r) {
    recordHeuristic(g, r, r.branch().resource);
  }

  /** As {@link #recordHeuristic(Gtrid, BranchResult)}, telling {@code forgetVia} to forget. */
  void recordHeuristic(Gtrid g, BranchResult r, XAResource forgetVia) {
    XaVerdict v = r.verdict();
    if (v.heuristic() == null) {
      return;
    }
    TxBranch b = r.branch();
    LOG.log(
        Level.ERROR,
        "heuristic outcome "
            + v.heuristic()
            + " on "
            + b.describe()
            + ": "
            + v.meaning()
            + (v.forget() ? "; logging it, then forget" : "; logging it"));
    try {
      Heuristics.logDurably(ctx.log(), g, b.logged, v.heuristic());
    } catch (TxLogException e) {
      ctx.failStop().trip(e);
      LOG.log(Level.ERROR, "heuristic of " + b.describe() + " not logged; not forgetting it", e);
      return;
    }
    if (v.forget()) {
      try {
        forgetVia.forget(b.xid);
      } catch (XAException e) {
        LogLines.log(
            LOG,
            Level.WARNING,
            "forget of "
                + b.describe()
                + " failed with "
                + XaClassifier.name(e.errorCode)
                + "; recovery will retry it",
            e);
      }
    }
  }

  @FunctionalInterface
  interface XaCall {
    int run() throws XAException;
  }

  /** Runs one XA call and classifies its result; never throws. */
  static BranchResult call(XaPhase phase, TxBranch b, XaCall call) {
    try {
      int rc = call.run();
      return new BranchResult(b, success(phase, rc), null);
    } catch (XAException e) {
      return new BranchResult(b, XaClassifier.classify(phase, e.errorCode), e);
    } catch (RuntimeException e) {
      // A resource that throws instead of returning an XA code failed: treat it as XAER_RMFAIL.
      return new BranchResult(b, XaClassifier.classify(phase, XAException.XAER_RMFAIL), e);
    }
  }

  private static XaVerdict success(XaPhase phase, int rc) {
    return switch (phase) {
      case PREPARE ->
          rc == XAResource.XA_RDONLY
              ? XaClassifier.classify(XaPhase.PREPARE, XAException.XA_RDONLY)
              : XaVerdict.of(BranchFate.PREPARED, AppOutcome.NORMAL, "prepared");
      case COMMIT, COMMIT_RETRY, ONE_PHASE_COMMIT ->
          XaVerdict.of(BranchFate.COMMITTED, AppOutcome.NORMAL, "committed");
      case ROLLBACK, ROLLBACK_UNPREPARED ->
          XaVerdict.of(BranchFate.ROLLED_BACK, AppOutcome.NORMAL, "rolled back");
    };
  }

  private void tripOnFailure(Object ignored, Throwable failure) {
    if (failure != null) {
      ctx.failStop().trip(failure);
    }
  }

  private void finish(XatmTransaction tx) {
    ctx.counters().finished(tx.state());
    CommitEvent.finished(tx.commitEvent, tx);
    try {
      tx.synchronizations.afterCompletion(tx.state().jtaStatus(), tx.gtrid().toString());
    } finally {
      tx.markCompleted();
    }
  }

  private static List<Branch> logged(List<TxBranch> branches) {
    List<Branch> out = new ArrayList<>(branches.size());
    for (TxBranch b : branches) {
      out.add(b.logged);
    }
    return out;
  }

  private static String describe(List<BranchResult> results) {
    StringBuilder sb = new StringBuilder();
    for (BranchResult r : results) {
      if (r.failure() != null) {
        if (sb.length() > 0) {
          sb.append("; ");
        }
        sb.append(r.branch().describe()).append(": ").append(r.verdict().meaning());
      }
    }
    return sb.length() == 0 ? "no branch failed" : sb.toString();
  }

  private static Throwable firstFailure(List<BranchResult> results) {
    for (BranchResult r : results) {
      if (r.failure() != null) {
        return r.failure();
      }
    }
    return null;
  }

  private static RollbackException rollbackException(
      XatmTransaction tx, String why, Throwable cause) {
    RollbackException e =
        new RollbackException("transaction " + tx.gtrid() + " rolled back: " + why);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private static SystemException systemException(String message, Throwable cause) {
    SystemException e = new SystemException(message);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private static void throwHeuristic(XatmTransaction tx, AppOutcome app, List<BranchResult> results)
      throws HeuristicMixedException, HeuristicRollbackException {
    String msg = "transaction " + tx.gtrid() + " ended heuristically: " + describe(results);
    Throwable cause = firstFailure(results);
    if (app == AppOutcome.HEURISTIC_ROLLBACK) {
      HeuristicRollbackException e = new HeuristicRollbackException(msg);
      if (cause != null) {
        e.initCause(cause);
      }
      throw e;
    }
    HeuristicMixedException e = new HeuristicMixedException(msg);
    if (cause != null) {
      e.initCause(cause);
    }
    throw e;
  }
}
