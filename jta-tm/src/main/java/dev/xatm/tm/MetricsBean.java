package dev.xatm.tm;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Publishes one transaction manager's {@link XatmMetrics} on the platform MBean server. A failure
 * to register is logged and otherwise ignored: metrics never stop transactions.
 */
final class MetricsBean implements XatmMetricsMXBean {
  private static final System.Logger LOG = System.getLogger(MetricsBean.class.getName());

  private final XatmTransactionManager tm;
  private final ObjectName name;

  private MetricsBean(XatmTransactionManager tm, ObjectName name) {
    this.tm = tm;
    this.name = name;
  }

  static ObjectName nameOf(String nodeId) throws JMException {
    return new ObjectName("dev.xatm:type=TransactionManager,node=" + ObjectName.quote(nodeId));
  }

  /** Registers the bean; returns null (after a WARNING) if the server refuses it. */
  static MetricsBean register(XatmTransactionManager tm) {
    try {
      MetricsBean bean = new MetricsBean(tm, nameOf(tm.nodeId()));
      ManagementFactory.getPlatformMBeanServer().registerMBean(bean, bean.name);
      return bean;
    } catch (JMException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "xatm metrics of node " + tm.nodeId() + " not published over JMX: " + e.getMessage());
      return null;
    }
  }

  void unregister() {
    PlatformMBeans.unregister(name);
  }

  @Override
  public String getNodeId() {
    return tm.nodeId();
  }

  @Override
  public long getEpoch() {
    return tm.epoch();
  }

  @Override
  public long getTransactionsBegun() {
    return tm.metrics().begun();
  }

  @Override
  public long getTransactionsCommitted() {
    return tm.metrics().committed();
  }

  @Override
  public long getTransactionsRolledBack() {
    return tm.metrics().rolledBack();
  }

  @Override
  public long getTransactionsHeuristic() {
    return tm.metrics().heuristic();
  }

  @Override
  public int getTransactionsActive() {
    return tm.metrics().active();
  }

  @Override
  public int getPendingRetries() {
    return tm.metrics().pendingRetries();
  }

  @Override
  public int getInDoubt() {
    return tm.metrics().inDoubt();
  }

  @Override
  public int getNodeIdClashXids() {
    return tm.metrics().nodeIdClashXids();
  }

  @Override
  public int getForeignPreparedXids() {
    return tm.metrics().foreignPreparedXids();
  }

  @Override
  public long getOldestForeignPreparedSeconds() {
    return tm.metrics().oldestForeignPreparedSeconds();
  }

  @Override
  public int getUndecidedOnUnreachable() {
    return tm.metrics().undecidedOnUnreachable();
  }

  @Override
  public int getUnresolvedHeuristics() {
    return tm.metrics().unresolvedHeuristics();
  }

  @Override
  public long getLastRecoveryMillis() {
    return tm.metrics().lastRecoveryMillis();
  }

  @Override
  public boolean isLastRecoveryUnresolved() {
    return tm.metrics().lastRecoveryUnresolved();
  }

  @Override
  public boolean isFailStopped() {
    return tm.metrics().failStopped();
  }

  @Override
  public long getLogLastLsn() {
    return tm.metrics().logLastLsn();
  }

  @Override
  public long getLogDurableLsn() {
    return tm.metrics().logDurableLsn();
  }

  @Override
  public int getLogSegments() {
    return tm.metrics().logSegments();
  }

  @Override
  public HistogramView getLogForceLatencyMicros() {
    return HistogramView.of(tm.metrics().logIo().forceLatencyMicros());
  }

  @Override
  public HistogramView getLogBatchRecords() {
    return HistogramView.of(tm.metrics().logIo().batchRecords());
  }

  @Override
  public HistogramView getLogQueueWaitMicros() {
    return HistogramView.of(tm.metrics().logIo().queueWaitMicros());
  }
}
