package dev.xatm.tm.log;

/** The coordinator's outcome of a transaction as written in an {@code End} record. */
public enum Outcome {
  /** The decision was commit, and every branch is finished. */
  COMMITTED,
  /** The transaction rolled back, and every branch is finished. */
  ROLLED_BACK
}
