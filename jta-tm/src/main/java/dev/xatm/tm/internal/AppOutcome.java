package dev.xatm.tm.internal;

/** What one branch's result means for the exception the application's commit/rollback sees. */
public enum AppOutcome {
  /** Nothing to report. */
  NORMAL,
  /** {@code RollbackException}: the transaction rolled back. */
  ROLLBACK,
  /** {@code HeuristicRollbackException} if every branch ended like this, else mixed. */
  HEURISTIC_ROLLBACK,
  /** {@code HeuristicMixedException}: some work committed, some rolled back, or unknown. */
  HEURISTIC_MIXED,
  /** {@code SystemException}: a protocol error the coordinator cannot resolve at once. */
  SYSTEM
}
