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
  String getUnit();

  long getCount();

  long getSum();

  long getMax();

  double getMean();

  /** Upper estimates of the quantiles: the bound of the bucket that holds them. */
  long getP50();

  long getP90();

  long getP99();

  long getP999();

  long[] getUpperBounds();

  long[] getCounts();

  /** A view of one snapshot. */
  static HistogramView of(Histogram h) {
    return new Snapshot(h);
  }

  /** Immutable; computed once from the snapshot. */
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
