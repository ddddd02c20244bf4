package dev.xatm.wal;

/** Another process or log instance holds the directory lock; the message names the holder. */
public class WalLockedException extends WalException {
  private static final long serialVersionUID = 1L;

  public WalLockedException(String message) {
    super(message);
  }

  public WalLockedException(String message, Throwable cause) {
    super(message, cause);
  }
}
