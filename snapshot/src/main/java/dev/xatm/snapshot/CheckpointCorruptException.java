package dev.xatm.snapshot;

import java.nio.file.Path;

/**
 * A checkpoint file does not verify: torn (a crash during its write), or damaged. Names the file,
 * the offset and the expected vs actual value.
 */
public final class CheckpointCorruptException extends SnapshotException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final long offset;

  public CheckpointCorruptException(Path file, long offset, String what) {
    super("checkpoint " + file + " at offset " + offset + ": " + what);
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
