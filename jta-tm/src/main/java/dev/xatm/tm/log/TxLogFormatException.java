package dev.xatm.tm.log;

/**
 * A TM record's payload could not be decoded (not MessagePack, a required field missing or of the
 * wrong type). The log's checksum passed, so this is a version or programming error, not a torn
 * write: the message names the record type, the LSN when known, and the field.
 */
public class TxLogFormatException extends TxLogException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the record type and LSN when known
   */
  public TxLogFormatException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed, naming the record type and LSN when known
   * @param cause the underlying failure
   */
  public TxLogFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
