package dev.xatm.tm.recovery;

/**
 * An operator action that would break a rule of the protocol, for example rolling back a branch of
 * a transaction with a durable Committing (I3). Nothing was sent to any resource.
 */
public class RecoveryRefusedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the rule the action would break, and what is allowed instead
   */
  public RecoveryRefusedException(String message) {
    super(message);
  }
}
