package dev.xatm.tm.internal;

/** What the coordinator concludes about a branch after an XA call. */
public enum BranchFate {
  /** Prepared: voted to commit. */
  PREPARED,
  /** Voted read-only: leaves phase 2. */
  READ_ONLY,
  /** Committed (confirmed). */
  COMMITTED,
  /** Rolled back (confirmed); nothing more to send. */
  ROLLED_BACK,
  /** Still needs a rollback from the coordinator. */
  NEEDS_ROLLBACK,
  /** The call must be repeated later (background retry; recovery after a crash). */
  RETRY,
  /** The resource decided on its own, or the outcome cannot be known; see the heuristic. */
  HEURISTIC
}
