package dev.xatm.wal;

/**
 * The log is damaged in a way that is not a torn tail; the message names the segment, offset and
 * expected vs actual values.
 */
public class WalCorruptException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the segment, offset and expected vs actual values
   */
  public WalCorruptException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the segment, offset and expected vs actual values
   * @param cause the underlying failure
   */
  public WalCorruptException(String message, Throwable cause) {
    super(message, cause);
  }
}
