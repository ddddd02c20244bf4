package dev.xatm.wal;

/** The directory belongs to another node id than the one configured; the message names both. */
public class WalNodeIdMismatchException extends WalException {
  private static final long serialVersionUID = 1L;

  public WalNodeIdMismatchException(String message) {
    super(message);
  }

  public WalNodeIdMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
