package dev.xatm.snapshot;

import java.io.IOException;

/** Base type of every failure the snapshot module reports (checkpoints, GC, archive, backup). */
public class SnapshotException extends IOException {
  private static final long serialVersionUID = 1L;

  public SnapshotException(String message) {
    super(message);
  }

  public SnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}
