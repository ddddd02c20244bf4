package dev.xatm.tm;

/**
 * The JMX view of {@link XatmMetrics}: every attribute is read live when asked. Registered by each
 * started transaction manager as {@code dev.xatm:type=TransactionManager,node=<node id>} unless
 * {@code xatm.jmx.enabled=false}, and unregistered when it closes.
 */
public interface XatmMetricsMXBean {
  String getNodeId();

  long getEpoch();

  long getTransactionsBegun();

  long getTransactionsCommitted();

  long getTransactionsRolledBack();

  long getTransactionsHeuristic();

  int getTransactionsActive();

  int getPendingRetries();

  int getInDoubt();

  int getUnresolvedHeuristics();

  /** Xids with this node id written by another log (two processes share the node id). */
  int getNodeIdClashXids();

  /** Prepared Xids of other nodes or transaction managers found by recovery (never touched). */
  int getForeignPreparedXids();

  /** Seconds since the oldest foreign prepared Xid was first seen (-1: none). */
  long getOldestForeignPreparedSeconds();

  /** Branches of undecided transactions on resources recovery could not reach. */
  int getUndecidedOnUnreachable();

  long getLastRecoveryMillis();

  boolean isLastRecoveryUnresolved();

  boolean isFailStopped();

  long getLogLastLsn();

  long getLogDurableLsn();

  int getLogSegments();

  /**
   * Fsync latency of the log's batches in µs since start (a CompositeData over JMX, items as in
   * {@link HistogramView}; docs/operations.md, "Metrics").
   */
  HistogramView getLogForceLatencyMicros();

  /** Records per batch written with one write (and at most one fsync), same items. */
  HistogramView getLogBatchRecords();

  /** Per record, µs from its append until the writer started its batch, same items. */
  HistogramView getLogQueueWaitMicros();
}
