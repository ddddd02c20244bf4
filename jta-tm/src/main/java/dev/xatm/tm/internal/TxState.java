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
  /** Completed with a heuristic mixed or hazard outcome: nobody can say which. */
  HEURISTIC_UNKNOWN(Status.STATUS_UNKNOWN);

  private final int jtaStatus;

  TxState(int jtaStatus) {
    this.jtaStatus = jtaStatus;
  }

  public int jtaStatus() {
    return jtaStatus;
  }

  public boolean isTerminal() {
    return this == COMMITTED || this == ROLLED_BACK || this == HEURISTIC_UNKNOWN;
  }
}
