package dev.xatm.tm.log;

import java.io.IOException;

/**
 * The TM log could not do what was asked: a record was not made durable, or the log could not be
 * read. The cause is the log's own exception (for the WAL, {@code WalPoisonedException} and
 * friends).
 */
public class TxLogException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed, naming the record type and LSN when known
   * @param cause the underlying failure
   */
  public TxLogException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the record type and LSN when known
   */
  public TxLogException(String message) {
    super(message);
  }
}
