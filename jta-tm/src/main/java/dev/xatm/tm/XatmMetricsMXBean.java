package dev.xatm.tm;

/**
 * The JMX view of {@link XatmMetrics}: every attribute is read live when asked. Registered by each
 * started transaction manager as {@code dev.xatm:type=TransactionManager,node=<node id>} unless
 * {@code xatm.jmx.enabled=false}, and unregistered when it closes.
 */
public interface XatmMetricsMXBean {
  /** {@return this node's id} */
  String getNodeId();

  /** {@return this run's epoch} */
  long getEpoch();

  /** {@return the transactions begun by this process} */
  long getTransactionsBegun();

  /** {@return the transactions that committed (read-only ones included)} */
  long getTransactionsCommitted();

  /** {@return the transactions that rolled back} */
  long getTransactionsRolledBack();

  /** {@return the transactions that ended with a heuristic mixed or hazard outcome} */
  long getTransactionsHeuristic();

  /** {@return the transactions alive now} */
  int getTransactionsActive();

  /** {@return the transactions with branches the background retry has not confirmed yet} */
  int getPendingRetries();

  /** {@return the Xids recovery lists as in doubt} */
  int getInDoubt();

  /** {@return the heuristic outcomes logged and not cleared by an operator} */
  int getUnresolvedHeuristics();

  /**
   * {@return the Xids with this node id written by another log, seen by the last recovery pass}
   * Non-zero means two processes share the node id; fix the configuration.
   */
  int getNodeIdClashXids();

  /**
   * {@return the prepared Xids of other nodes or transaction managers that recovery found} They are
   * never touched, but they hold locks.
   */
  int getForeignPreparedXids();

  /** {@return seconds since the oldest foreign prepared Xid was first seen (-1: none)} */
  long getOldestForeignPreparedSeconds();

  /**
   * {@return the branches of undecided transactions of earlier runs on resources the last pass
   * could not reach} They may hold locks there until presumed abort reaches them.
   */
  int getUndecidedOnUnreachable();

  /** {@return the duration of the last recovery pass in ms (-1 before the first)} */
  long getLastRecoveryMillis();

  /** {@return whether the last recovery pass left anything unresolved} */
  boolean isLastRecoveryUnresolved();

  /** {@return whether a log failure stopped this TM from accepting transactions} */
  boolean isFailStopped();

  /** {@return the highest LSN written to the log (0 when the log is not a WAL)} */
  long getLogLastLsn();

  /** {@return the highest LSN known durable} */
  long getLogDurableLsn();

  /** {@return the segment files in the log directory} */
  int getLogSegments();

  /**
   * {@return the fsync latency of the log's batches in µs since start} A CompositeData over JMX,
   * items as in {@link HistogramView}; docs/operations.md, "Metrics".
   */
  HistogramView getLogForceLatencyMicros();

  /** {@return the records per batch written with one write (and at most one fsync)} */
  HistogramView getLogBatchRecords();

  /** {@return per record, the µs from its append until the writer started its batch} */
  HistogramView getLogQueueWaitMicros();
}
