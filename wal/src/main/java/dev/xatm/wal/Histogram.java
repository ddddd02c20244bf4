package dev.xatm.wal;

import java.util.List;

/**
 * A snapshot of a distribution in power-of-two buckets: bucket {@code i} counts the values {@code
 * v} with {@code upperBounds[i-1] < v <= upperBounds[i]}; the last bucket, one past the bounds,
 * counts everything larger. Taken without stopping the recorder, so the buckets of one snapshot may
 * be a few values apart from {@link #count()}.
 *
 * @param unit what the values measure ({@code "us"} for microseconds, {@code "records"})
 * @param upperBounds inclusive upper bound of each bucket but the last
 * @param counts values per bucket; one more entry than {@code upperBounds}
 * @param count values recorded
 * @param sum sum of the values recorded
 * @param max the largest value recorded (0 when none)
 */
public record Histogram(
    String unit, List<Long> upperBounds, List<Long> counts, long count, long sum, long max) {

  /**
   * Copies the lists into immutable ones and checks their sizes.
   *
   * @param unit what the values measure
   * @param upperBounds inclusive upper bound of each bucket but the last
   * @param counts values per bucket
   * @param count values recorded
   * @param sum sum of the values recorded
   * @param max the largest value recorded
   * @throws IllegalArgumentException {@code counts} does not have one entry more than {@code
   *     upperBounds}
   */
  public Histogram {
    upperBounds = List.copyOf(upperBounds);
    counts = List.copyOf(counts);
    if (counts.size() != upperBounds.size() + 1) {
      throw new IllegalArgumentException(
          counts.size() + " counts for " + upperBounds.size() + " bounds; expected bounds + 1");
    }
  }

  /**
   * {@return a histogram with the given bounds and nothing recorded} For a log that records
   * nothing.
   *
   * @param unit what the values would measure
   * @param upperBounds the bucket bounds, as for the constructor
   */
  public static Histogram empty(String unit, List<Long> upperBounds) {
    Long[] zeros = new Long[upperBounds.size() + 1];
    java.util.Arrays.fill(zeros, 0L);
    return new Histogram(unit, upperBounds, List.of(zeros), 0, 0, 0);
  }

  /** {@return the mean of the values recorded, or 0 when nothing was recorded} */
  public double mean() {
    return count == 0 ? 0 : (double) sum / count;
  }

  /**
   * {@return an upper estimate of the {@code q}-quantile} That is the upper bound of the bucket
   * that holds it, or {@link #max()} when that is smaller or the value is in the last bucket; 0
   * when nothing was recorded.
   *
   * @param q the quantile, {@code 0 < q <= 1} (0.99 for the 99th percentile)
   * @throws IllegalArgumentException {@code q} is not in (0, 1]
   */
  public long percentile(double q) {
    if (q <= 0 || q > 1) {
      throw new IllegalArgumentException("quantile " + q + " is not in (0, 1]");
    }
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.size(); i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return i < upperBounds.size() ? Math.min(upperBounds.get(i), max) : max;
      }
    }
    return max;
  }
}
