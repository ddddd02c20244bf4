package dev.xatm.tm.recovery;

/** How one line of a recovery pass ended. */
public enum RecoveryResult {
  /** Carried out and confirmed (or nothing was needed). */
  DONE(false),
  /** A transaction alive (or being completed) in this process: left to its owner. */
  LEFT_ALONE(false),
  /** Not an Xid of this node: never touched. */
  FOREIGN(false),
  /**
   * A heuristic outcome was logged (then the resource told to forget it); an operator clears it.
   */
  HEURISTIC(true),
  /** The call was made but not confirmed; the next pass retries. */
  NOT_CONFIRMED(true),
  /** The resource could not be reached (down, no credentials, no connector, backing off). */
  UNREACHABLE(true),
  /** Recovery will not decide (damaged log, unknown epoch): an operator must. */
  IN_DOUBT(true),
  /**
   * An Xid with this node id written by another log (two processes configured with one node id):
   * never touched, reported on every pass until the other process resolves it and the configuration
   * is fixed.
   */
  NODE_ID_CLASH(true),
  /** Recovery itself failed (for example the log refused a record). */
  FAILED(true);

  private final boolean unresolved;

  RecoveryResult(boolean unresolved) {
    this.unresolved = unresolved;
  }

  /** {@return true when the line needs another pass or an operator} */
  public boolean unresolved() {
    return unresolved;
  }
}
