package dev.xatm.snapshot.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * When the {@link Checkpointer} takes a checkpoint on its own.
 *
 * @param interval elapsed time since the last checkpoint ({@link Duration#ZERO}: never by time)
 * @param bytes bytes appended since the last checkpoint (0: never by size)
 * @param onRotation after the WAL moved to a new segment
 */
public record CheckpointTriggers(Duration interval, long bytes, boolean onRotation) {

  public CheckpointTriggers {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || bytes < 0) {
      throw new IllegalArgumentException("negative trigger: " + interval + ", " + bytes);
    }
  }

  /** No automatic checkpoint: only explicit ones (and the size cap's). */
  public static CheckpointTriggers none() {
    return new CheckpointTriggers(Duration.ZERO, 0, false);
  }
}
