package dev.xatm.wal.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.wal.Histogram;
import dev.xatm.wal.WalStats;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A snapshot taken while the writer records is one consistent state: its buckets add up to its
 * count, and its sum and max belong to the same values (metrics read count and sum together).
 */
class HistogramRecorderTest {
  @Test
  void aSnapshotTakenWhileTheWriterRecordsIsConsistent() throws Exception {
    HistogramRecorder h = new HistogramRecorder("records", WalStats.RECORDS_BOUNDS);
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer =
        new Thread(
            () -> {
              long v = 1;
              while (!stop.get()) {
                h.record(v);
                v = v % 7 + 1; // 1..7: every value at least 1, several buckets
              }
            });
    writer.start();
    try {
      long deadline = System.nanoTime() + 2_000_000_000L;
      int snapshots = 0;
      while (System.nanoTime() < deadline) {
        Histogram s = h.snapshot();
        long buckets = s.counts().stream().mapToLong(Long::longValue).sum();
        assertEquals(s.count(), buckets, "buckets against count, snapshot " + snapshots);
        assertTrue(s.sum() >= s.count(), "sum " + s.sum() + " < count " + s.count());
        assertTrue(s.sum() <= 7 * s.count(), "sum " + s.sum() + " > 7 x count " + s.count());
        assertTrue(s.count() == 0 || s.max() >= 1, "max " + s.max());
        snapshots++;
      }
      assertTrue(snapshots > 1000, "snapshots taken: " + snapshots);
    } finally {
      stop.set(true);
      writer.join();
    }
    Histogram last = h.snapshot();
    assertEquals(last.count(), last.counts().stream().mapToLong(Long::longValue).sum());
  }
}
