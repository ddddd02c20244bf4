package dev.xatm.tm.recovery;

/** What the TM log (and, for this process's own transactions, its memory) says about a gtrid. */
public enum RecoveryLogState {
  /** A durable Committing and no End: decided commit, not finished. */
  COMMITTING,
  /** Committing and End: committed and finished. */
  ENDED_COMMITTED,
  /** Begin and End(rolled back). */
  ENDED_ROLLED_BACK,
  /** Begin only: phase 1 started, no decision. */
  BEGUN,
  /** No record at all for the gtrid. */
  NONE,
  /** A transaction of this process that is still alive (not yet completed). */
  ALIVE,
  /** Not applicable: a foreign Xid or a line about a whole resource. */
  NOT_APPLICABLE
}
