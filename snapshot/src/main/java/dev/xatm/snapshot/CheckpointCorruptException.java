package dev.xatm.snapshot;

import java.nio.file.Path;

/**
 * A checkpoint file does not verify: torn (a crash during its write), or damaged. Names the file,
 * the offset and the expected vs actual value.
 */
public final class CheckpointCorruptException extends SnapshotException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  /** Offset in the file where verification failed. */
  private final long offset;

  /**
   * Creates the exception; the message names the file, the offset and {@code what}.
   *
   * @param file the checkpoint file
   * @param offset the offset in the file where verification failed (0 also when the file is refused
   *     as a whole, e.g. too large)
   * @param what what is wrong there, with the expected vs actual value
   */
  public CheckpointCorruptException(Path file, long offset, String what) {
    super("checkpoint " + file + " at offset " + offset + ": " + what);
    this.file = file;
    this.offset = offset;
  }

  /** {@return the checkpoint file; {@code null} after deserialization (not serialized)} */
  public Path file() {
    return file;
  }

  /** {@return the offset in the file where verification failed} */
  public long offset() {
    return offset;
  }
}
