package dev.xatm.wal;

import java.io.IOException;

/** Base type of every failure the log reports. */
public class WalException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the directory, segment or offset involved
   */
  public WalException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed, naming the directory, segment or offset involved
   * @param cause the I/O error or earlier failure behind it
   */
  public WalException(String message, Throwable cause) {
    super(message, cause);
  }
}
