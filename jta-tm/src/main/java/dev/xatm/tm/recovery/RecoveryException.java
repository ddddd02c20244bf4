package dev.xatm.tm.recovery;

/**
 * An operator action could not be carried out (resource unreachable, the log refused a record, the
 * resource answered with an error); the message says what and what state things are in.
 */
public class RecoveryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RecoveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
