package dev.xatm.tm.log;

/** The coordinator's outcome of a transaction as written in an {@code End} record. */
public enum Outcome {
  COMMITTED,
  ROLLED_BACK
}
