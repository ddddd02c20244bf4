package dev.xatm.tm.recovery;

/**
 * An operator action could not be carried out (resource unreachable, the log refused a record, the
 * resource answered with an error); the message says what and what state things are in.
 */
public class RecoveryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, and what state things are in
   * @param cause the resource's or the log's exception, or {@code null}
   */
  public RecoveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
