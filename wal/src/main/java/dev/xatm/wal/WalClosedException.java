package dev.xatm.wal;

/** The log was closed. */
public class WalClosedException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the directory of the log that is closed
   */
  public WalClosedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the directory of the log that is closed
   * @param cause the underlying failure
   */
  public WalClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
