package dev.xatm.spring.boot.metrics;

import dev.xatm.tm.XatmMetrics;
import dev.xatm.tm.XatmTransactionManager;
import io.micrometer.core.instrument.FunctionCounter;
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
 *   <li>{@code xatm.log.segments}, {@code xatm.log.lsn.last}, {@code xatm.log.lsn.durable}.
 * </ul>
 *
 * <p>Each meter reads the TM's metrics when it is read (the TM keeps them; nothing is cached here).
 * Thread-safe.
 */
public final class XatmMeterBinder implements MeterBinder {
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
