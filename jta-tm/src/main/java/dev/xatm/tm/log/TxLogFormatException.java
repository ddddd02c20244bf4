package dev.xatm.tm.log;

/**
 * A TM record's payload could not be decoded (not MessagePack, a required field missing or of the
 * wrong type). The log's checksum passed, so this is a version or programming error, not a torn
 * write: the message names the record type, the LSN when known, and the field.
 */
public class TxLogFormatException extends TxLogException {
  private static final long serialVersionUID = 1L;

  public TxLogFormatException(String message) {
    super(message);
  }

  public TxLogFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
