package dev.xatm.snapshot;

/**
 * A hold on the log's segments from one LSN on: GC keeps every segment holding an LSN at or above
 * {@link #fromLsn()} until the hold is closed. An online backup holds one while it copies.
 */
public interface SegmentReservation extends AutoCloseable {
  /** {@return the lowest LSN whose segment is kept} */
  long fromLsn();

  /** {@return who holds it, for the size cap's refusal message (e.g. "online backup to /mnt/b")} */
  String owner();

  /** {@return when it was taken, in milliseconds of the snapshot clock} */
  long sinceMillis();

  /** Releases the hold; idempotent. */
  @Override
  void close();
}
