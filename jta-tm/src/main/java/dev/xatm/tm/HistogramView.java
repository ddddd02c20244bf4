package dev.xatm.tm;

import dev.xatm.wal.Histogram;

/**
 * A {@link Histogram} as the {@link XatmMetricsMXBean} publishes it: JMX maps it to a {@code
 * CompositeData} with the items {@code unit, count, sum, max, mean, p50, p90, p99, p999,
 * upperBounds, counts}, which JConsole, jmxterm or a JMX exporter read without xatm classes. Bucket
 * {@code i} of {@code counts} holds the values up to {@code upperBounds[i]}; the last one, past the
 * bounds, everything larger (docs/operations.md, "Metrics").
 */
public interface HistogramView {
  /** {@return what the values measure: {@code us} for microseconds, {@code records}} */
  String getUnit();

  /** {@return the values recorded} */
  long getCount();

  /** {@return the sum of the values recorded} */
  long getSum();

  /** {@return the largest value recorded (0 when none)} */
  long getMax();

  /** {@return the mean, or 0 when nothing was recorded} */
  double getMean();

  /**
   * {@return an upper estimate of the median} The quantiles are the bound of the bucket that holds
   * them, or the max when that is smaller (see {@link Histogram#percentile}).
   */
  long getP50();

  /** {@return an upper estimate of the 90th percentile} */
  long getP90();

  /** {@return an upper estimate of the 99th percentile} */
  long getP99();

  /** {@return an upper estimate of the 99.9th percentile} */
  long getP999();

  /** {@return the inclusive upper bound of each bucket but the last} */
  long[] getUpperBounds();

  /** {@return the values per bucket; one more entry than {@link #getUpperBounds()}} */
  long[] getCounts();

  /**
   * {@return a view of one snapshot}
   *
   * @param h the snapshot
   */
  static HistogramView of(Histogram h) {
    return new Snapshot(h);
  }

  /** The view of one {@link Histogram}. Immutable. */
  final class Snapshot implements HistogramView {
    private final Histogram h;

    private Snapshot(Histogram h) {
      this.h = h;
    }

    @Override
    public String getUnit() {
      return h.unit();
    }

    @Override
    public long getCount() {
      return h.count();
    }

    @Override
    public long getSum() {
      return h.sum();
    }

    @Override
    public long getMax() {
      return h.max();
    }

    @Override
    public double getMean() {
      return h.mean();
    }

    @Override
    public long getP50() {
      return h.percentile(0.5);
    }

    @Override
    public long getP90() {
      return h.percentile(0.9);
    }

    @Override
    public long getP99() {
      return h.percentile(0.99);
    }

    @Override
    public long getP999() {
      return h.percentile(0.999);
    }

    @Override
    public long[] getUpperBounds() {
      return h.upperBounds().stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public long[] getCounts() {
      return h.counts().stream().mapToLong(Long::longValue).toArray();
    }
  }
}
