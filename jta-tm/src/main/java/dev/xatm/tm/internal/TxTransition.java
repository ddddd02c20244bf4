package dev.xatm.tm.internal;

import static dev.xatm.tm.internal.TxState.ACTIVE;
import static dev.xatm.tm.internal.TxState.COMMITTED;
import static dev.xatm.tm.internal.TxState.COMMITTING;
import static dev.xatm.tm.internal.TxState.HEURISTIC_AFTER_COMMIT;
import static dev.xatm.tm.internal.TxState.HEURISTIC_AFTER_ROLLBACK;
import static dev.xatm.tm.internal.TxState.MARKED_ROLLBACK;
import static dev.xatm.tm.internal.TxState.OUTCOME_UNKNOWN;
import static dev.xatm.tm.internal.TxState.PREPARING;
import static dev.xatm.tm.internal.TxState.ROLLED_BACK;
import static dev.xatm.tm.internal.TxState.ROLLING_BACK;

import java.util.EnumSet;
import java.util.Set;

/** The named moves of {@link TxStateMachine}; any other move is illegal. */
public enum TxTransition {
  /** setRollbackOnly, a failed beforeCompletion, a timeout, a failed enlistment. */
  MARK_ROLLBACK_ONLY(EnumSet.of(ACTIVE, MARKED_ROLLBACK), MARKED_ROLLBACK),
  /** Phase 1 of two-phase commit starts. */
  START_PREPARE(EnumSet.of(ACTIVE), PREPARING),
  /** Committing is durable: the decision is commit. Never from any other state (I2). */
  DECIDE_COMMIT(EnumSet.of(PREPARING), COMMITTING),
  /** A zero- or one-branch transaction commits without phase 1. */
  COMMIT_ONE_PHASE(EnumSet.of(ACTIVE), COMMITTING),
  /** Every branch committed. */
  FINISH_COMMIT(EnumSet.of(COMMITTING), COMMITTED),
  /** Every branch voted read-only: nothing to decide, no Committing (DESIGN §2). */
  FINISH_READ_ONLY(EnumSet.of(PREPARING), COMMITTED),
  /** The decision is rollback. Not from COMMITTING except via {@link #ONE_PHASE_FAILED}. */
  START_ROLLBACK(EnumSet.of(ACTIVE, MARKED_ROLLBACK, PREPARING), ROLLING_BACK),
  /** The only resource of a one-phase commit rolled back or must be rolled back. */
  ONE_PHASE_FAILED(EnumSet.of(COMMITTING), ROLLING_BACK),
  /** Every branch is rolled back (or will be by retry/presumed abort). */
  FINISH_ROLLBACK(EnumSet.of(ROLLING_BACK), ROLLED_BACK),
  /** A heuristic outcome after the commit decision (or a one-phase commit). */
  FINISH_HEURISTIC_AFTER_COMMIT(EnumSet.of(COMMITTING), HEURISTIC_AFTER_COMMIT),
  /** A heuristic commit of a branch being rolled back. */
  FINISH_HEURISTIC_AFTER_ROLLBACK(EnumSet.of(ROLLING_BACK), HEURISTIC_AFTER_ROLLBACK),
  DECISION_UNKNOWN(EnumSet.of(PREPARING), OUTCOME_UNKNOWN);

  private final Set<TxState> from;
  private final TxState to;

  TxTransition(Set<TxState> from, TxState to) {
    this.from = from;
    this.to = to;
  }

  public boolean allowedFrom(TxState state) {
    return from.contains(state);
  }

  public TxState to() {
    return to;
  }
}
