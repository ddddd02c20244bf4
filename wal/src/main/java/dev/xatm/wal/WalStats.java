package dev.xatm.wal;

import java.util.ArrayList;
import java.util.List;

/**
 * What the log's writer measured since the log was opened: what explains group commit on a given
 * disk (docs/operations.md, "Metrics").
 *
 * @param forceLatencyMicros time of each fsync of a batch ({@code FileChannel.force}), in µs
 * @param batchRecords records per batch the writer took from its queue and wrote with one write
 *     (and, when any of them asked for it, one fsync)
 * @param queueWaitMicros per record, the time from its append until the writer started writing its
 *     batch, in µs: how long records wait behind the previous fsync
 * @param forcedBytes record bytes (headers included) in batches that were forced
 */
public record WalStats(
    Histogram forceLatencyMicros,
    Histogram batchRecords,
    Histogram queueWaitMicros,
    long forcedBytes) {

  /** Bucket bounds for times in µs: 1 µs .. 2^24 µs (about 16.8 s), then everything longer. */
  public static final List<Long> MICROS_BOUNDS = powersOfTwo(24);

  /** Bucket bounds for records per batch: 1 .. 16384 (the default queue), then more. */
  public static final List<Long> RECORDS_BOUNDS = powersOfTwo(14);

  /** Nothing measured (a log that is not written by this process). */
  public static final WalStats EMPTY =
      new WalStats(
          Histogram.empty("us", MICROS_BOUNDS),
          Histogram.empty("records", RECORDS_BOUNDS),
          Histogram.empty("us", MICROS_BOUNDS),
          0);

  private static List<Long> powersOfTwo(int maxExponent) {
    List<Long> out = new ArrayList<>(maxExponent + 1);
    for (int i = 0; i <= maxExponent; i++) {
      out.add(1L << i);
    }
    return List.copyOf(out);
  }
}
