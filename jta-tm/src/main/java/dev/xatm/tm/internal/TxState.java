package dev.xatm.tm.internal;

import jakarta.transaction.Status;

/** The states of a transaction, each with the {@link Status} code JTA reports for it. */
public enum TxState {
  ACTIVE(Status.STATUS_ACTIVE),
  MARKED_ROLLBACK(Status.STATUS_MARKED_ROLLBACK),
  PREPARING(Status.STATUS_PREPARING),
  COMMITTING(Status.STATUS_COMMITTING),
  ROLLING_BACK(Status.STATUS_ROLLING_BACK),
  COMMITTED(Status.STATUS_COMMITTED),
  ROLLED_BACK(Status.STATUS_ROLLEDBACK),
  /**
   * Decided commit, and a resource reported a heuristic outcome (mixed, hazard or rollback). JTA
   * reports the decision: STATUS_COMMITTED, "it is likely that heuristics exist" (STATUS_UNKNOWN is
   * transient by its Javadoc, and this state is final).
   */
  HEURISTIC_AFTER_COMMIT(Status.STATUS_COMMITTED),
  /** Decided rollback, and a resource reported a heuristic commit: STATUS_ROLLEDBACK. */
  HEURISTIC_AFTER_ROLLBACK(Status.STATUS_ROLLEDBACK),
  /**
   * Cluster mode: the decision's write to the cluster database had no answer, so whether it was
   * made is not known yet; the branches stay prepared until the mirror settles it (STATUS_UNKNOWN).
   */
  OUTCOME_UNKNOWN(Status.STATUS_UNKNOWN);

  private final int jtaStatus;

  TxState(int jtaStatus) {
    this.jtaStatus = jtaStatus;
  }

  public int jtaStatus() {
    return jtaStatus;
  }

  public boolean isTerminal() {
    return this == COMMITTED
        || this == ROLLED_BACK
        || this == HEURISTIC_AFTER_COMMIT
        || this == HEURISTIC_AFTER_ROLLBACK;
  }
}
