package dev.xatm.tm;

import dev.xatm.wal.WalStats;

/**
 * A snapshot of what one transaction manager has done and where it stands, from {@link
 * XatmTransactionManager#metrics()}; the same values are published over JMX as {@link
 * XatmMetricsMXBean} under {@code dev.xatm:type=TransactionManager,node=<node id>}.
 *
 * @param nodeId this node's id
 * @param epoch this run's epoch
 * @param begun transactions begun by this process
 * @param committed transactions that committed (read-only ones included)
 * @param rolledBack transactions that rolled back
 * @param heuristic transactions that ended with a heuristic mixed or hazard outcome
 * @param active transactions alive now
 * @param pendingRetries transactions with branches the background retry has not confirmed yet
 * @param inDoubt Xids recovery lists as in doubt
 * @param unresolvedHeuristics heuristic outcomes logged and not cleared by an operator
 * @param lastRecoveryMillis duration of the last recovery pass (-1 before the first)
 * @param lastRecoveryUnresolved whether the last pass left anything unresolved
 * @param failStopped whether a log failure stopped this TM from accepting transactions
 * @param logIo what the log's writer measured since start: fsync latency and records-per-batch
 *     histograms, queue wait per record ({@link WalStats#EMPTY} when the log is not a WAL)
 * @param logLastLsn the highest LSN written to the log (0 when the log is not a WAL)
 * @param logDurableLsn the highest LSN known durable
 * @param logSegments segment files in the log directory
 * @param nodeIdClashXids Xids with this node id but written by another log, seen by the last
 *     recovery pass: another process is configured with the same node id (never touched; fix the
 *     configuration)
 * @param foreignPreparedXids prepared Xids of other nodes or other transaction managers that the
 *     recovery scans found: never touched, but they hold locks (resolve them with their owner, or
 *     see docs/operations.md "Foreign Xids")
 * @param oldestForeignPreparedSeconds how long the oldest of them has been seen, in seconds (-1
 *     when there is none)
 * @param undecidedOnUnreachable branches of undecided transactions of earlier runs (a Begin, no
 *     decision) on resources the last pass could not reach: they may hold locks there until
 *     presumed abort reaches them
 */
public record XatmMetrics(
    String nodeId,
    long epoch,
    long begun,
    long committed,
    long rolledBack,
    long heuristic,
    int active,
    int pendingRetries,
    int inDoubt,
    int unresolvedHeuristics,
    long lastRecoveryMillis,
    boolean lastRecoveryUnresolved,
    boolean failStopped,
    WalStats logIo,
    long logLastLsn,
    long logDurableLsn,
    int logSegments,
    int nodeIdClashXids,
    int foreignPreparedXids,
    long oldestForeignPreparedSeconds,
    int undecidedOnUnreachable) {}
