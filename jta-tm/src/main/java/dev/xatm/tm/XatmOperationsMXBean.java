package dev.xatm.tm;

/**
 * The operator actions of one running transaction manager over JMX (docs/operations.md, "Online
 * mode"): what {@code tm.recovery()} offers in Java, for a tool outside the process ({@code xatm
 * indoubt|heuristic|recovery --pid PID}, JConsole, any JMX client).
 *
 * <p>Published as {@code dev.xatm:type=TransactionManagerOperations,node=<quoted node id>} only
 * when {@code xatm.jmx.operations=true} (default false), beside the read-only {@link
 * XatmMetricsMXBean}: a management interface that can only read stays one an operator can open to
 * monitoring without also opening commit and rollback. Every value is an open type (strings,
 * numbers, arrays, and the records below as {@code CompositeData}), so a client needs no xatm
 * classes. Failures are JDK exceptions with the message an operator reads: {@link
 * IllegalArgumentException} for an Xid that is not listed, {@link IllegalStateException} for an
 * action the protocol forbids (rolling back a decided transaction, I3), {@link RuntimeException}
 * when the resource or the log failed.
 *
 * <p>Thread-safe; actions are serialized with recovery passes ({@code RecoveryService}).
 */
public interface XatmOperationsMXBean {
  /** {@return this node's id} */
  String getNodeId();

  /** {@return this run's epoch} */
  long getEpoch();

  /**
   * {@return the Xids of this node that a resource listed as prepared and recovery has not
   * resolved}
   */
  InDoubt[] listInDoubt();

  /**
   * Commits an in-doubt Xid ({@code node/epoch/sequence#branch@...}, as listed): makes the commit
   * decision durable first, so later passes commit the transaction's other branches.
   *
   * @param xid an Xid of {@link #listInDoubt()}
   * @return what happened
   * @throws IllegalArgumentException the Xid is not listed
   * @throws RuntimeException the resource or the log failed
   */
  Line commitInDoubt(String xid);

  /**
   * Rolls back an in-doubt Xid; refused for a transaction with a durable Committing (I3).
   *
   * @param xid an Xid of {@link #listInDoubt()}
   * @return what happened
   * @throws IllegalArgumentException the Xid is not listed
   * @throws IllegalStateException its transaction is decided to commit
   * @throws RuntimeException the resource failed
   */
  Line rollbackInDoubt(String xid);

  /**
   * {@return the heuristic outcomes not cleared, each with the Xid in the form {@link
   * #clearHeuristic} takes}
   */
  Heuristic[] listHeuristics();

  /**
   * Clears the heuristic outcomes of one branch, with a durable record.
   *
   * @param xid the branch, as {@link #listHeuristics()} shows it
   * @return how many outcomes were cleared
   * @throws IllegalArgumentException there is no unresolved heuristic for that Xid
   * @throws RuntimeException the log refused the record
   */
  int clearHeuristic(String xid);

  /**
   * {@return the prepared Xids the last pass saw and never touches: other nodes', other TMs', other
   * logs'} Empty before the first pass.
   */
  Line[] listForeign();

  /** {@return the report of a full recovery pass run now} */
  Pass runRecoveryPass();

  /**
   * An in-doubt Xid.
   *
   * @param xid pass it to {@link #commitInDoubt} or {@link #rollbackInDoubt}
   * @param resourceId the resource that listed it prepared
   * @param logState what the log knows of its transaction ({@code RecoveryLogState})
   * @param result why it is unresolved ({@code RecoveryResult})
   * @param reason the explanation an operator reads
   * @param firstSeen ISO-8601 instant a pass first saw it unresolved
   * @param ageSeconds seconds since then
   */
  record InDoubt(
      String xid,
      String resourceId,
      String logState,
      String result,
      String reason,
      String firstSeen,
      long ageSeconds) {}

  /**
   * One line of a recovery report or of an operator action ({@code RecoveryLine}).
   *
   * @param xid the Xid
   * @param resourceId the resource it is prepared at
   * @param logState what the log knows of its transaction ({@code RecoveryLogState})
   * @param action what recovery did ({@code RecoveryAction})
   * @param result how it ended ({@code RecoveryResult})
   * @param reason the explanation an operator reads
   * @param unresolved whether it still needs attention
   */
  record Line(
      String xid,
      String resourceId,
      String logState,
      String action,
      String result,
      String reason,
      boolean unresolved) {}

  /**
   * An unresolved heuristic outcome.
   *
   * @param xid exactly what {@link #clearHeuristic} takes
   * @param gtrid its transaction
   * @param resourceId the resource that reported it
   * @param bqual the branch qualifier in hex
   * @param outcome the heuristic outcome ({@code HeuristicOutcome})
   * @param lsn the LSN of its Heuristic record (0 when logged by this process)
   */
  record Heuristic(
      String xid, String gtrid, String resourceId, String bqual, String outcome, long lsn) {}

  /**
   * A recovery pass's report.
   *
   * @param nodeId the node that ran it
   * @param startedAt ISO-8601 instant it started
   * @param durationMillis how long it took
   * @param unresolved whether any line needs attention
   * @param summary one line of counts
   * @param lines one line per Xid
   */
  record Pass(
      String nodeId,
      String startedAt,
      long durationMillis,
      boolean unresolved,
      String summary,
      Line[] lines) {}
}
