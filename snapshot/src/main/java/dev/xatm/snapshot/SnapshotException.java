package dev.xatm.snapshot;

import java.io.IOException;

/** Base type of every failure the snapshot module reports (checkpoints, GC, archive, backup). */
public class SnapshotException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and where (file, directory, LSN)
   */
  public SnapshotException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed and where (file, directory, LSN)
   * @param cause the underlying failure, usually an {@link IOException} of the storage
   */
  public SnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}
