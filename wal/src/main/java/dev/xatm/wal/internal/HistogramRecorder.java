package dev.xatm.wal.internal;

import dev.xatm.wal.Histogram;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts values into power-of-two buckets for {@link Histogram} snapshots.
 *
 * <p>Threading: one recording thread (the log's writer), any number of readers. The writer updates
 * with plain read-then-{@code lazySet}, which costs no atomic instruction and is exact because
 * nobody else writes. A snapshot is one consistent state, through a sequence lock the writer never
 * waits on (see {@link #version}).
 */
final class HistogramRecorder {
  private final String unit;
  private final List<Long> bounds;
  private final AtomicLongArray counts;
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong sum = new AtomicLong();
  private final AtomicLong max = new AtomicLong();

  /**
   * A sequence lock for {@link #snapshot()}: odd while {@link #record} runs. One writer (the log
   * writer thread) never waits; a reader retries until it read every field between two equal, even
   * versions, so a snapshot is one state (its buckets add up to its count, its sum and max belong
   * to the same values), not fields from two moments.
   */
  private final AtomicLong version = new AtomicLong();

  /** {@code bounds} must be 1, 2, 4, ... (the bucket is found from the value's bit length). */
  HistogramRecorder(String unit, List<Long> bounds) {
    for (int i = 0; i < bounds.size(); i++) {
      if (bounds.get(i) != 1L << i) {
        throw new IllegalArgumentException("bounds must be the powers of two from 1: " + bounds);
      }
    }
    this.unit = unit;
    this.bounds = List.copyOf(bounds);
    this.counts = new AtomicLongArray(bounds.size() + 1);
  }

  /** Records one value (negative values, from a clock that stepped back, count as 0). */
  void record(long value) {
    long seq = version.get();
    version.lazySet(seq + 1); // odd: a reader that sees any field written below retries
    VarHandle.storeStoreFence(); // ... because the odd version is visible before those fields
    long v = Math.max(0, value);
    // Bucket i holds (2^(i-1), 2^i]; 0 and 1 go to bucket 0.
    int bucket = v <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(v - 1);
    bucket = Math.min(bucket, bounds.size());
    counts.lazySet(bucket, counts.get(bucket) + 1);
    count.lazySet(count.get() + 1);
    sum.lazySet(sum.get() + v);
    if (v > max.get()) {
      max.lazySet(v);
    }
    version.lazySet(seq + 2);
  }

  Histogram snapshot() {
    while (true) {
      long before = version.get();
      if ((before & 1) == 0) {
        List<Long> c = new ArrayList<>(counts.length());
        for (int i = 0; i < counts.length(); i++) {
          c.add(counts.get(i));
        }
        long n = count.get();
        long total = sum.get();
        long highest = max.get();
        if (version.get() == before) {
          return new Histogram(unit, bounds, c, n, total, highest);
        }
      }
      Thread.onSpinWait();
    }
  }
}
