package dev.xatm.wal;

/**
 * The log failed a write or force earlier and accepts nothing more until reopened. The cause is the
 * first failure.
 */
public class WalPoisonedException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message where the log failed (segment, offset, LSNs) or what it refused
   */
  public WalPoisonedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message where the log failed (segment, offset, LSNs) or what it refused
   * @param cause the first write or force failure
   */
  public WalPoisonedException(String message, Throwable cause) {
    super(message, cause);
  }
}
