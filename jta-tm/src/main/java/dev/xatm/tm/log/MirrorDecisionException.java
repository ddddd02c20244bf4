package dev.xatm.tm.log;

/**
 * A commit decision in cluster mode that did not complete normally (docs/cluster.md, "Decision
 * mirror"): what {@link MirroringTxLog#logCommitting} throws, with what is known about the
 * decision.
 */
public final class MirrorDecisionException extends TxLogException {
  private static final long serialVersionUID = 1L;

  /** What is known about the decision. */
  public enum State {
    /**
     * Certainly not decided: the mirror refused it (the lease epoch moved on) and nothing was
     * written locally. Roll the transaction back; the node may decide again later.
     */
    REFUSED,
    /**
     * Unknown: the cluster database did not answer. The mirror settles it in the background (as
     * decided, or as aborted for good); until then the branches stay prepared and recovery leaves
     * them alone.
     */
    UNKNOWN,
    /**
     * Decided: the mirror holds the decision, but the local log failed to make its {@code
     * Committing} durable. The transaction is committed (a restart takes the decision from the
     * mirror); the TM must stop as after any log failure.
     */
    DECIDED
  }

  /** What is known about the decision. */
  private final State state;

  /**
   * @param state what is known about the decision
   * @param message what happened
   * @param cause the underlying failure, or null
   */
  public MirrorDecisionException(State state, String message, Throwable cause) {
    super(message, cause);
    this.state = state;
  }

  /** {@return what is known about the decision} */
  public State state() {
    return state;
  }
}
