package dev.xatm.wal;

/**
 * The log failed a write or force earlier and accepts nothing more until reopened. The cause is the
 * first failure.
 */
public class WalPoisonedException extends WalException {
  private static final long serialVersionUID = 1L;

  public WalPoisonedException(String message) {
    super(message);
  }

  public WalPoisonedException(String message, Throwable cause) {
    super(message, cause);
  }
}
