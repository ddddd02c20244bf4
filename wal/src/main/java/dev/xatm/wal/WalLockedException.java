package dev.xatm.wal;

/** Another process or log instance holds the directory lock; the message names the holder. */
public class WalLockedException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the directory and the holder of its lock
   */
  public WalLockedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the directory and the holder of its lock
   * @param cause the underlying failure
   */
  public WalLockedException(String message, Throwable cause) {
    super(message, cause);
  }
}
