package dev.xatm.wal;

/** The log was closed. */
public class WalClosedException extends WalException {
  private static final long serialVersionUID = 1L;

  public WalClosedException(String message) {
    super(message);
  }

  public WalClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
