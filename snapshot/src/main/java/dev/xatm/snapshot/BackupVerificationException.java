package dev.xatm.snapshot;

/** A backup copy is not restorable: a gap, a checkpoint that does not verify or is not covered. */
public final class BackupVerificationException extends SnapshotException {
  private static final long serialVersionUID = 1L;

  public BackupVerificationException(String message) {
    super(message);
  }

  public BackupVerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
