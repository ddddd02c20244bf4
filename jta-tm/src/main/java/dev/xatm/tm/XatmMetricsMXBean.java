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

  long getLastRecoveryMillis();

  boolean isLastRecoveryUnresolved();

  boolean isFailStopped();

  long getLogLastLsn();

  long getLogDurableLsn();

  int getLogSegments();
}
