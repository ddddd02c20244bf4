package dev.xatm.tm;

/**
 * Named points between the steps of the commit protocol where a {@link Failpoints} instance can
 * throw or halt the process (tests only; an unarmed point costs one volatile read).
 *
 * <p>What a {@link RuntimeException} thrown by the action means depends on the point: at a branch
 * point (prepare, commit, one-phase commit) it counts as that XA call failing with XAER_RMFAIL; at
 * {@link #BEFORE_COMMITTING_DURABLE} as a failure of the log to make Committing durable
 * (fail-stop); at {@link #AFTER_COMMITTING_DURABLE}, {@link #BEFORE_END} and {@link #AFTER_END} it
 * is logged and ignored, because the decision is already durable and must be carried out; at {@link
 * #AFTER_MIRROR_DECISION} likewise, because the mirror's commit is the decision.
 */
public enum Failpoint {
  /** Before the prepare of each branch (argument: branch number). */
  BEFORE_PREPARE,
  /** After the prepare of each branch returned a vote. */
  AFTER_PREPARE,
  /** All branches voted to commit; the Committing record is about to be written. */
  BEFORE_COMMITTING_DURABLE,
  /**
   * Cluster mode only: the decision is committed in the cluster mirror (the decision point), the
   * local Committing is not forced yet (docs/cluster.md).
   */
  AFTER_MIRROR_DECISION,
  /** Committing is durable; no commit has been sent yet. */
  AFTER_COMMITTING_DURABLE,
  /** Before the commit of each branch of a decided transaction. */
  BEFORE_COMMIT,
  /** After the commit of each branch returned (between commits). */
  AFTER_COMMIT,
  /** Every branch is confirmed; End is about to be written. */
  BEFORE_END,
  /** End was handed to the log. */
  AFTER_END,
  /** Before the one-phase commit of a single-branch transaction. */
  BEFORE_ONE_PHASE_COMMIT
}
