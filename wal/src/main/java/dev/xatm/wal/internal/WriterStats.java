package dev.xatm.wal.internal;

import dev.xatm.wal.WalStats;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the writer measures per batch: the histograms of {@link WalStats} and the {@link
 * LogForceEvent} JFR event, fed from one call per batch so that the writer's loop stays as it is.
 *
 * <p>Threading: {@link #written} from the writer thread only; {@link #snapshot} from any thread.
 */
final class WriterStats {
  private final HistogramRecorder forceMicros = new HistogramRecorder("us", WalStats.MICROS_BOUNDS);
  private final HistogramRecorder batchRecords =
      new HistogramRecorder("records", WalStats.RECORDS_BOUNDS);
  private final HistogramRecorder queueWaitMicros =
      new HistogramRecorder("us", WalStats.MICROS_BOUNDS);
  private final AtomicLong forcedBytes = new AtomicLong();

  /**
   * One batch was written: the writer started on it at {@code startNanos}, forced it from {@code
   * forceStartNanos} (negative when not forced) to {@code endNanos}.
   */
  void written(Append batch, long startNanos, long forceStartNanos, long endNanos, long segment) {
    int records = 0;
    long bytes = 0;
    long maxWait = 0;
    long lastLsn = 0;
    for (Append a = batch; a != null; a = a.next) {
      records++;
      bytes += a.size();
      long wait = startNanos - a.enqueuedNanos;
      maxWait = Math.max(maxWait, wait);
      queueWaitMicros.record(wait / 1000);
      lastLsn = a.lsn;
    }
    batchRecords.record(records);
    if (forceStartNanos < 0) {
      return;
    }
    long fsync = endNanos - forceStartNanos;
    forceMicros.record(fsync / 1000);
    forcedBytes.lazySet(forcedBytes.get() + bytes);
    LogForceEvent e = new LogForceEvent();
    if (e.isEnabled()) {
      e.records = records;
      e.bytes = bytes;
      e.fsyncTime = fsync;
      e.maxQueueWait = maxWait;
      e.segment = segment;
      e.lastLsn = lastLsn;
      e.commit();
    }
  }

  WalStats snapshot() {
    return new WalStats(
        forceMicros.snapshot(),
        batchRecords.snapshot(),
        queueWaitMicros.snapshot(),
        forcedBytes.get());
  }
}
