package dev.xatm.wal;

import java.io.IOException;

/** Base type of every failure the log reports. */
public class WalException extends IOException {
  private static final long serialVersionUID = 1L;

  public WalException(String message) {
    super(message);
  }

  public WalException(String message, Throwable cause) {
    super(message, cause);
  }
}
