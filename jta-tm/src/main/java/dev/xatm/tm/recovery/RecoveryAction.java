package dev.xatm.tm.recovery;

/** What recovery did (or decided not to do) for one Xid or resource in a pass. */
public enum RecoveryAction {
  /** {@code commit(xid, false)}: the gtrid has a durable Committing. */
  COMMIT,
  /** {@code rollback(xid)}: presumed abort, or the logged outcome is rolled back. */
  ROLLBACK,
  /** Nothing sent: a live transaction of this process, a foreign Xid, or an Xid left in doubt. */
  LEAVE_ALONE,
  /** Nothing sent to the branch: it is no longer prepared (checked for a decided transaction). */
  CHECK,
  /** The End record of a decided transaction whose every branch is confirmed. */
  WRITE_END,
  /** {@code recover(TMSTARTRSCAN | TMENDRSCAN)} of a resource (lines about a whole resource). */
  SCAN
}
