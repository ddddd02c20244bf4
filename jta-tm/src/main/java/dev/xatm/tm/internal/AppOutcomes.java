package dev.xatm.tm.internal;

import java.util.List;

/** Folds the per-branch {@link AppOutcome}s of one completion into what the caller reports. */
final class AppOutcomes {
  private AppOutcomes() {}

  /**
   * After a commit decision: mixed if any branch is mixed/hazard, or if some but not all branches
   * were heuristically rolled back; heuristic rollback if every branch that had work was; normal
   * otherwise.
   */
  static AppOutcome afterCommitDecision(List<BranchResult> results) {
    int rolledBack = 0;
    int withWork = 0;
    for (BranchResult r : results) {
      AppOutcome a = r.verdict().app();
      if (a == AppOutcome.HEURISTIC_MIXED) {
        return AppOutcome.HEURISTIC_MIXED;
      }
      if (r.fate() != BranchFate.READ_ONLY) {
        withWork++;
      }
      if (a == AppOutcome.HEURISTIC_ROLLBACK) {
        rolledBack++;
      }
    }
    if (rolledBack == 0) {
      return AppOutcome.NORMAL;
    }
    return rolledBack == withWork ? AppOutcome.HEURISTIC_ROLLBACK : AppOutcome.HEURISTIC_MIXED;
  }

  /** After a rollback decision: mixed if any branch committed on its own, else rollback. */
  static AppOutcome afterRollbackDecision(List<BranchResult> results) {
    for (BranchResult r : results) {
      if (r.verdict().app() == AppOutcome.HEURISTIC_MIXED) {
        return AppOutcome.HEURISTIC_MIXED;
      }
    }
    return AppOutcome.ROLLBACK;
  }

  /** For rollback(): anything but normal is reported as a SystemException. */
  static boolean anyProblem(List<BranchResult> results) {
    for (BranchResult r : results) {
      AppOutcome a = r.verdict().app();
      if (a == AppOutcome.HEURISTIC_MIXED
          || a == AppOutcome.HEURISTIC_ROLLBACK
          || a == AppOutcome.SYSTEM) {
        return true;
      }
    }
    return false;
  }
}
