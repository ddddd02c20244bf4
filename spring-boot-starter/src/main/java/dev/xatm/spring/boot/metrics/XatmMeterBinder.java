package dev.xatm.spring.boot.metrics;

import dev.xatm.tm.XatmMetrics;
import dev.xatm.tm.XatmTransactionManager;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes {@link XatmTransactionManager#metrics()} to Micrometer, tagged with the node id:
 *
 * <ul>
 *   <li>{@code xatm.transactions} (counter, tag {@code outcome} = {@code begun}, {@code committed},
 *       {@code rolled_back}, {@code heuristic});
 *   <li>{@code xatm.transactions.active}, {@code xatm.retries.pending}, {@code
 *       xatm.recovery.in_doubt}, {@code xatm.heuristics.unresolved}, {@code xatm.recovery.foreign},
 *       {@code xatm.recovery.foreign.oldest.seconds}, {@code xatm.recovery.undecided_unreachable}
 *       (gauges);
 *   <li>{@code xatm.recovery.last.duration} (time gauge; NaN before the first pass), {@code
 *       xatm.recovery.last.unresolved} and {@code xatm.fail_stopped} (0/1);
 *   <li>{@code xatm.log.segments}, {@code xatm.log.lsn.last}, {@code xatm.log.lsn.durable};
 *   <li>the log writer's measurements: {@code xatm.log.force} (function timer: fsyncs of a batch
 *       and their time), {@code xatm.log.force.latency} (time gauges, tag {@code quantile} = {@code
 *       0.5}, {@code 0.99}, {@code 1.0}), {@code xatm.log.batches} and {@code
 *       xatm.log.batch.records} (function counters: batches and the records in them), {@code
 *       xatm.log.batch.size} (gauges by {@code quantile}), {@code xatm.log.queue.wait} (function
 *       timer: records and their wait for the writer). The quantiles are upper estimates from the
 *       writer's power-of-two buckets since the log was opened; rates and means over an interval
 *       come from the timers and counters.
 * </ul>
 *
 * <p>Each meter reads the TM's metrics when it is read (the TM keeps them; nothing is cached here).
 * Thread-safe.
 */
public final class XatmMeterBinder implements MeterBinder {
  /** Median, 99th percentile and maximum: {@code 1.0} is the largest value recorded. */
  private static final double[] QUANTILES = {0.5, 0.99, 1.0};

  private final XatmTransactionManager tm;

  /**
   * Creates the binder.
   *
   * @param tm the transaction manager whose metrics the meters read
   */
  public XatmMeterBinder(XatmTransactionManager tm) {
    this.tm = Objects.requireNonNull(tm, "tm");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Tags node = Tags.of("node", tm.nodeId());
    counter(registry, node, "begun", XatmMetrics::begun);
    counter(registry, node, "committed", XatmMetrics::committed);
    counter(registry, node, "rolled_back", XatmMetrics::rolledBack);
    counter(registry, node, "heuristic", XatmMetrics::heuristic);
    gauge(registry, node, "xatm.transactions.active", "transactions alive now", m -> m.active());
    gauge(
        registry,
        node,
        "xatm.retries.pending",
        "transactions with branches awaiting a background retry",
        m -> m.pendingRetries());
    gauge(
        registry,
        node,
        "xatm.recovery.in_doubt",
        "Xids recovery lists as in doubt",
        m -> m.inDoubt());
    gauge(
        registry,
        node,
        "xatm.recovery.foreign",
        "prepared Xids of other nodes or transaction managers (never touched; they hold locks)",
        m -> m.foreignPreparedXids());
    gauge(
        registry,
        node,
        "xatm.recovery.foreign.oldest.seconds",
        "seconds since the oldest foreign prepared Xid was first seen (-1: none)",
        m -> m.oldestForeignPreparedSeconds());
    gauge(
        registry,
        node,
        "xatm.recovery.undecided_unreachable",
        "branches of undecided transactions on resources recovery could not reach",
        m -> m.undecidedOnUnreachable());
    gauge(
        registry,
        node,
        "xatm.heuristics.unresolved",
        "heuristic outcomes not cleared by an operator",
        m -> m.unresolvedHeuristics());
    gauge(
        registry,
        node,
        "xatm.recovery.last.unresolved",
        "1 when the last recovery pass left something unresolved",
        m -> m.lastRecoveryUnresolved() ? 1 : 0);
    gauge(
        registry,
        node,
        "xatm.fail_stopped",
        "1 when a log failure stopped the transaction manager",
        m -> m.failStopped() ? 1 : 0);
    gauge(registry, node, "xatm.log.segments", "segment files of the log", m -> m.logSegments());
    gauge(registry, node, "xatm.log.lsn.last", "highest LSN written", m -> m.logLastLsn());
    gauge(registry, node, "xatm.log.lsn.durable", "highest LSN durable", m -> m.logDurableLsn());
    TimeGauge.builder(
            "xatm.recovery.last.duration",
            tm,
            TimeUnit.MILLISECONDS,
            t -> {
              long ms = t.metrics().lastRecoveryMillis();
              return ms < 0 ? Double.NaN : ms;
            })
        .description("duration of the last recovery pass")
        .tags(node)
        .register(registry);
    bindLogIo(registry, node);
  }

  /**
   * The log writer's histograms ({@link XatmMetrics#logIo()}, since the log was opened): each as a
   * function timer or counter pair (rates and means over any interval) plus upper estimates of the
   * median, the 99th percentile and the maximum from its power-of-two buckets.
   */
  private void bindLogIo(MeterRegistry registry, Tags node) {
    FunctionTimer.builder(
            "xatm.log.force",
            tm,
            t -> t.metrics().logIo().forceLatencyMicros().count(),
            t -> t.metrics().logIo().forceLatencyMicros().sum(),
            TimeUnit.MICROSECONDS)
        .description("fsyncs of a log batch (FileChannel.force) and their time")
        .tags(node)
        .register(registry);
    for (double q : QUANTILES) {
      TimeGauge.builder(
              "xatm.log.force.latency", tm, TimeUnit.MICROSECONDS, t -> forceQuantile(t, q))
          .description("fsync time of a log batch since start, upper estimate of the quantile")
          .tags(node.and("quantile", Double.toString(q)))
          .register(registry);
    }
    FunctionCounter.builder("xatm.log.batches", tm, t -> t.metrics().logIo().batchRecords().count())
        .description("batches the log writer wrote (one write, at most one fsync each)")
        .tags(node)
        .register(registry);
    FunctionCounter.builder(
            "xatm.log.batch.records", tm, t -> t.metrics().logIo().batchRecords().sum())
        .description("records the log writer wrote in its batches")
        .tags(node)
        .register(registry);
    for (double q : QUANTILES) {
      Gauge.builder("xatm.log.batch.size", tm, t -> batchQuantile(t, q))
          .description("records per log batch since start, upper estimate of the quantile")
          .tags(node.and("quantile", Double.toString(q)))
          .baseUnit("records")
          .register(registry);
    }
    FunctionTimer.builder(
            "xatm.log.queue.wait",
            tm,
            t -> t.metrics().logIo().queueWaitMicros().count(),
            t -> t.metrics().logIo().queueWaitMicros().sum(),
            TimeUnit.MICROSECONDS)
        .description("records appended to the log and their wait for the writer")
        .tags(node)
        .register(registry);
  }

  // The histograms are wal types reached through XatmMetrics; only jta-tm is named here (the
  // starter's seams, docs/architecture.md).

  private static double forceQuantile(XatmTransactionManager t, double q) {
    var h = t.metrics().logIo().forceLatencyMicros();
    return q >= 1.0 ? h.max() : h.percentile(q);
  }

  private static double batchQuantile(XatmTransactionManager t, double q) {
    var h = t.metrics().logIo().batchRecords();
    return q >= 1.0 ? h.max() : h.percentile(q);
  }

  private void counter(
      MeterRegistry registry, Tags node, String outcome, ToDoubleFunction<XatmMetrics> f) {
    FunctionCounter.builder("xatm.transactions", tm, t -> f.applyAsDouble(t.metrics()))
        .description("transactions of this process by outcome")
        .tags(node.and("outcome", outcome))
        .register(registry);
  }

  private void gauge(
      MeterRegistry registry,
      Tags node,
      String name,
      String description,
      ToDoubleFunction<XatmMetrics> f) {
    Gauge.builder(name, tm, t -> f.applyAsDouble(t.metrics()))
        .description(description)
        .tags(node)
        .register(registry);
  }
}
