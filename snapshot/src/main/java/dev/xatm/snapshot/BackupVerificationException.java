package dev.xatm.snapshot;

/** A backup copy is not restorable: a gap, a checkpoint that does not verify or is not covered. */
public final class BackupVerificationException extends SnapshotException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what does not verify and where (file, LSN)
   */
  public BackupVerificationException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the failure that showed it.
   *
   * @param message what does not verify and where (file, LSN)
   * @param cause the failure found while verifying
   */
  public BackupVerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
