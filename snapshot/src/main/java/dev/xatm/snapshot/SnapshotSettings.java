package dev.xatm.snapshot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the snapshot subsystem runs for one log (docs/snapshots.md).
 *
 * @param checkpoints whether checkpoints are taken at all; without them the log is never collected
 *     and only the size cap acts
 * @param interval a checkpoint once this much time passed since the last ({@link Duration#ZERO}:
 *     never by time)
 * @param bytes a checkpoint once this many bytes were appended since the last (0: never by size)
 * @param onRotation a checkpoint each time the log moves to a new segment
 * @param archiveDir where GC moves segments instead of deleting them, or {@code null}
 * @param archiveMaxBytes the archive's cap (0: none); the oldest archived segments go first
 * @param logMaxBytes the log directory's cap; new work is refused above it (0: none)
 * @param logMaxKey the configuration key of that cap, named in the refusal
 */
public record SnapshotSettings(
    boolean checkpoints,
    Duration interval,
    long bytes,
    boolean onRotation,
    Path archiveDir,
    long archiveMaxBytes,
    long logMaxBytes,
    String logMaxKey) {

  /**
   * Checks the durations and sizes.
   *
   * @param checkpoints whether checkpoints are taken at all
   * @param interval time between checkpoints; not {@code null} or negative ({@link Duration#ZERO}:
   *     never by time)
   * @param bytes bytes appended between checkpoints; not negative (0: never by size)
   * @param onRotation a checkpoint each time the log moves to a new segment
   * @param archiveDir where GC moves segments, or {@code null} to delete them
   * @param archiveMaxBytes the archive's cap; not negative (0: none)
   * @param logMaxBytes the log directory's cap; not negative (0: none)
   * @param logMaxKey the configuration key of that cap; not {@code null}
   * @throws IllegalArgumentException a duration or size is negative
   * @throws NullPointerException {@code interval} or {@code logMaxKey} is {@code null}
   */
  public SnapshotSettings {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(logMaxKey, "logMaxKey");
    if (interval.isNegative() || bytes < 0 || archiveMaxBytes < 0 || logMaxBytes < 0) {
      throw new IllegalArgumentException(
          "negative snapshot setting: "
              + interval
              + ", "
              + bytes
              + ", "
              + archiveMaxBytes
              + ", "
              + logMaxBytes);
    }
  }
}
