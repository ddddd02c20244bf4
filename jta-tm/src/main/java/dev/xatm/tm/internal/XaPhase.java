package dev.xatm.tm.internal;

/** The XA call whose {@code XAException} is being classified. */
public enum XaPhase {
  /** {@code prepare} in phase 1. */
  PREPARE,
  /** {@code commit(xid, false)} right after the durable Committing. */
  COMMIT,
  /** {@code commit(xid, false)} again after an attempt that was not confirmed (or in recovery). */
  COMMIT_RETRY,
  /** {@code commit(xid, true)} of a single-branch transaction. */
  ONE_PHASE_COMMIT,
  /** {@code rollback} of a branch that voted prepared (or may have: recovery). */
  ROLLBACK,
  /**
   * {@code rollback} of a branch that never voted prepared. Such work does not survive the loss of
   * its connection (X/Open XA: only prepared branches outlive a resource manager failure), so
   * XAER_RMFAIL means there is nothing left to roll back, not "retry forever".
   */
  ROLLBACK_UNPREPARED
}
