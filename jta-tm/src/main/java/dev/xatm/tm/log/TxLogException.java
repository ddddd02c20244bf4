package dev.xatm.tm.log;

import java.io.IOException;

/**
 * The TM log could not do what was asked: a record was not made durable, or the log could not be
 * read. The cause is the log's own exception (for the WAL, {@code WalPoisonedException} and
 * friends).
 */
public class TxLogException extends IOException {
  private static final long serialVersionUID = 1L;

  public TxLogException(String message, Throwable cause) {
    super(message, cause);
  }

  public TxLogException(String message) {
    super(message);
  }
}
