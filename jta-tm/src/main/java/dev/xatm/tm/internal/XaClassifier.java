package dev.xatm.tm.internal;

import static dev.xatm.tm.internal.AppOutcome.HEURISTIC_MIXED;
import static dev.xatm.tm.internal.AppOutcome.HEURISTIC_ROLLBACK;
import static dev.xatm.tm.internal.AppOutcome.NORMAL;
import static dev.xatm.tm.internal.AppOutcome.ROLLBACK;
import static dev.xatm.tm.internal.AppOutcome.SYSTEM;
import static dev.xatm.tm.internal.BranchFate.COMMITTED;
import static dev.xatm.tm.internal.BranchFate.HEURISTIC;
import static dev.xatm.tm.internal.BranchFate.NEEDS_ROLLBACK;
import static dev.xatm.tm.internal.BranchFate.READ_ONLY;
import static dev.xatm.tm.internal.BranchFate.RETRY;
import static dev.xatm.tm.internal.BranchFate.ROLLED_BACK;

import dev.xatm.tm.log.HeuristicOutcome;
import javax.transaction.xa.XAException;

/**
 * The one pure function that turns an {@code XAException} error code, in a given {@link XaPhase},
 * into what the coordinator does and what the application sees. The table is in
 * docs/tm-protocol.md; every cell has a test. Sources: X/Open XA (the xa_prepare, xa_commit,
 * xa_rollback return values) and JTA 2.0 §3.4.
 *
 * <p>Principles: after the commit decision a branch is never rolled back by us, and a failure to
 * confirm is retried (RMFAIL, RETRY, protocol errors); a branch the resource says it rolled back
 * after the decision (XA_RB*, XAER_RMERR, XA_HEURRB) is a heuristic rollback; an outcome that
 * cannot be known is a heuristic hazard, reported as {@code HeuristicMixedException}; XA_HEUR* are
 * logged and then forgotten.
 */
public final class XaClassifier {
  private XaClassifier() {}

  public static XaVerdict classify(XaPhase phase, int code) {
    if (phase == XaPhase.ROLLBACK_UNPREPARED && code == XAException.XAER_RMFAIL) {
      return XaVerdict.of(
          BranchFate.ROLLED_BACK,
          AppOutcome.NORMAL,
          "XAER_RMFAIL: the branch never voted prepared, and unprepared work does not outlive its"
              + " connection (should the prepare have reached the resource after all, recovery"
              + " finds the branch and rolls it back)");
    }
    if (code >= XAException.XA_RBBASE && code <= XAException.XA_RBEND) {
      return rolledBackByResource(phase, code);
    }
    return switch (code) {
      case XAException.XA_RDONLY -> readOnly(phase);
      case XAException.XA_HEURCOM -> heurCommitted(phase);
      case XAException.XA_HEURRB -> heurRolledBack(phase);
      case XAException.XA_HEURMIX, XAException.XA_HEURHAZ -> heurMixedOrHazard(phase, code);
      case XAException.XAER_RMFAIL, XAException.XA_RETRY -> unreachable(phase, code);
      case XAException.XAER_RMERR -> resourceError(phase);
      case XAException.XAER_NOTA -> unknownBranch(phase);
      default -> protocolError(phase, code);
    };
  }

  private static XaVerdict rolledBackByResource(XaPhase phase, int code) {
    String m = name(code) + ": the resource rolled the branch back";
    return switch (phase) {
      case PREPARE, ONE_PHASE_COMMIT -> XaVerdict.of(ROLLED_BACK, ROLLBACK, m);
      case ROLLBACK, ROLLBACK_UNPREPARED -> XaVerdict.of(ROLLED_BACK, NORMAL, m);
      case COMMIT, COMMIT_RETRY ->
          XaVerdict.heuristic(
              HEURISTIC,
              HeuristicOutcome.ROLLED_BACK,
              false,
              HEURISTIC_ROLLBACK,
              m + " after the commit decision");
    };
  }

  private static XaVerdict readOnly(XaPhase phase) {
    return switch (phase) {
      case PREPARE -> XaVerdict.of(READ_ONLY, NORMAL, "XA_RDONLY: read-only vote");
      case COMMIT, COMMIT_RETRY, ONE_PHASE_COMMIT ->
          XaVerdict.of(COMMITTED, NORMAL, "XA_RDONLY: nothing to commit");
      case ROLLBACK, ROLLBACK_UNPREPARED ->
          XaVerdict.of(ROLLED_BACK, NORMAL, "XA_RDONLY: nothing to roll back");
    };
  }

  private static XaVerdict heurCommitted(XaPhase phase) {
    String m = "XA_HEURCOM: the resource committed the branch on its own";
    return switch (phase) {
      case COMMIT, COMMIT_RETRY, ONE_PHASE_COMMIT ->
          XaVerdict.heuristic(COMMITTED, HeuristicOutcome.COMMITTED, true, NORMAL, m);
      case PREPARE, ROLLBACK, ROLLBACK_UNPREPARED ->
          XaVerdict.heuristic(
              HEURISTIC,
              HeuristicOutcome.COMMITTED,
              true,
              HEURISTIC_MIXED,
              m + " although the outcome is rollback");
    };
  }

  private static XaVerdict heurRolledBack(XaPhase phase) {
    String m = "XA_HEURRB: the resource rolled the branch back on its own";
    return switch (phase) {
      case PREPARE ->
          XaVerdict.heuristic(ROLLED_BACK, HeuristicOutcome.ROLLED_BACK, true, ROLLBACK, m);
      case ROLLBACK, ROLLBACK_UNPREPARED ->
          XaVerdict.heuristic(ROLLED_BACK, HeuristicOutcome.ROLLED_BACK, true, NORMAL, m);
      case COMMIT, COMMIT_RETRY, ONE_PHASE_COMMIT ->
          XaVerdict.heuristic(HEURISTIC, HeuristicOutcome.ROLLED_BACK, true, HEURISTIC_ROLLBACK, m);
    };
  }

  private static XaVerdict heurMixedOrHazard(XaPhase phase, int code) {
    boolean mixed = code == XAException.XA_HEURMIX;
    HeuristicOutcome h = mixed ? HeuristicOutcome.MIXED : HeuristicOutcome.HAZARD;
    String m =
        mixed
            ? "XA_HEURMIX: the resource committed part of the branch and rolled back part"
            : "XA_HEURHAZ: the resource may have completed the branch either way";
    return XaVerdict.heuristic(HEURISTIC, h, true, HEURISTIC_MIXED, m);
  }

  private static XaVerdict unreachable(XaPhase phase, int code) {
    String n = name(code);
    return switch (phase) {
      case PREPARE -> XaVerdict.of(NEEDS_ROLLBACK, ROLLBACK, n + " at prepare: no vote, roll back");
      case COMMIT, COMMIT_RETRY ->
          XaVerdict.of(RETRY, NORMAL, n + ": commit not confirmed; retried in the background");
      case ROLLBACK, ROLLBACK_UNPREPARED ->
          XaVerdict.of(RETRY, NORMAL, n + ": rollback not confirmed; retried in the background");
      case ONE_PHASE_COMMIT ->
          code == XAException.XA_RETRY
              ? XaVerdict.of(
                  NEEDS_ROLLBACK, ROLLBACK, "XA_RETRY at one-phase commit: not committed")
              : XaVerdict.heuristic(
                  HEURISTIC,
                  HeuristicOutcome.HAZARD,
                  false,
                  HEURISTIC_MIXED,
                  "XAER_RMFAIL at one-phase commit: the outcome is unknown");
    };
  }

  private static XaVerdict resourceError(XaPhase phase) {
    return switch (phase) {
      case PREPARE ->
          XaVerdict.of(NEEDS_ROLLBACK, ROLLBACK, "XAER_RMERR at prepare: no vote, roll back");
      case ONE_PHASE_COMMIT ->
          XaVerdict.of(ROLLED_BACK, ROLLBACK, "XAER_RMERR: the branch's work was rolled back");
      case ROLLBACK, ROLLBACK_UNPREPARED ->
          XaVerdict.of(ROLLED_BACK, NORMAL, "XAER_RMERR at rollback: the resource forgot it");
      case COMMIT, COMMIT_RETRY ->
          XaVerdict.heuristic(
              HEURISTIC,
              HeuristicOutcome.ROLLED_BACK,
              false,
              HEURISTIC_ROLLBACK,
              "XAER_RMERR at commit: the branch's work was rolled back after the decision");
    };
  }

  private static XaVerdict unknownBranch(XaPhase phase) {
    return switch (phase) {
      case PREPARE, ONE_PHASE_COMMIT ->
          XaVerdict.of(ROLLED_BACK, ROLLBACK, "XAER_NOTA: the resource does not know the branch");
      case ROLLBACK, ROLLBACK_UNPREPARED ->
          XaVerdict.of(ROLLED_BACK, NORMAL, "XAER_NOTA: already rolled back");
      case COMMIT_RETRY ->
          XaVerdict.of(COMMITTED, NORMAL, "XAER_NOTA on a repeated commit: already committed");
      case COMMIT ->
          XaVerdict.heuristic(
              HEURISTIC,
              HeuristicOutcome.HAZARD,
              false,
              HEURISTIC_MIXED,
              "XAER_NOTA at the first commit of a prepared branch: its outcome is unknown");
    };
  }

  private static XaVerdict protocolError(XaPhase phase, int code) {
    String n = name(code);
    return switch (phase) {
      case PREPARE, ONE_PHASE_COMMIT ->
          XaVerdict.of(NEEDS_ROLLBACK, ROLLBACK, n + ": protocol error; roll back");
      case COMMIT, COMMIT_RETRY ->
          XaVerdict.of(RETRY, NORMAL, n + ": protocol error at commit; retried in the background");
      case ROLLBACK, ROLLBACK_UNPREPARED ->
          XaVerdict.of(
              RETRY, SYSTEM, n + ": protocol error at rollback; retried in the background");
    };
  }

  /** The constant name of an XA error code, e.g. {@code XAER_RMFAIL}, or the number. */
  public static String name(int code) {
    return switch (code) {
      case XAException.XA_RBROLLBACK -> "XA_RBROLLBACK";
      case XAException.XA_RBCOMMFAIL -> "XA_RBCOMMFAIL";
      case XAException.XA_RBDEADLOCK -> "XA_RBDEADLOCK";
      case XAException.XA_RBINTEGRITY -> "XA_RBINTEGRITY";
      case XAException.XA_RBOTHER -> "XA_RBOTHER";
      case XAException.XA_RBPROTO -> "XA_RBPROTO";
      case XAException.XA_RBTIMEOUT -> "XA_RBTIMEOUT";
      case XAException.XA_RBTRANSIENT -> "XA_RBTRANSIENT";
      case XAException.XA_NOMIGRATE -> "XA_NOMIGRATE";
      case XAException.XA_HEURHAZ -> "XA_HEURHAZ";
      case XAException.XA_HEURCOM -> "XA_HEURCOM";
      case XAException.XA_HEURRB -> "XA_HEURRB";
      case XAException.XA_HEURMIX -> "XA_HEURMIX";
      case XAException.XA_RETRY -> "XA_RETRY";
      case XAException.XA_RDONLY -> "XA_RDONLY";
      case XAException.XAER_ASYNC -> "XAER_ASYNC";
      case XAException.XAER_RMERR -> "XAER_RMERR";
      case XAException.XAER_NOTA -> "XAER_NOTA";
      case XAException.XAER_INVAL -> "XAER_INVAL";
      case XAException.XAER_PROTO -> "XAER_PROTO";
      case XAException.XAER_RMFAIL -> "XAER_RMFAIL";
      case XAException.XAER_DUPID -> "XAER_DUPID";
      case XAException.XAER_OUTSIDE -> "XAER_OUTSIDE";
      default -> "XA error code " + code;
    };
  }
}
