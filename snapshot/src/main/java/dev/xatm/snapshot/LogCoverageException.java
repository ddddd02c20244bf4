package dev.xatm.snapshot;

/**
 * The log cannot be replayed: its first record is after LSN 1 and no valid checkpoint covers the
 * records that are missing, or a checkpoint is newer than the log's last record. Starting would
 * mean guessing the state; the message says what is present and what is missing.
 */
public final class LogCoverageException extends SnapshotException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the LSNs present and missing, and how to fix it
   */
  public LogCoverageException(String message) {
    super(message);
  }
}
