package dev.xatm.wal;

/** The directory belongs to another node id than the one configured; the message names both. */
public class WalNodeIdMismatchException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the node id configured and the one in the directory
   */
  public WalNodeIdMismatchException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the node id configured and the one in the directory
   * @param cause the underlying failure
   */
  public WalNodeIdMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
