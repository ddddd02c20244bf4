package dev.xatm.tm.recovery;

import dev.xatm.tm.log.LogState;
import java.util.List;

/**
 * Recovery of one transaction manager (DESIGN §6, docs/recovery.md): reconciles every resource's
 * prepared Xids with the TM log, at start and then periodically, and lets an operator resolve what
 * it cannot.
 *
 * <pre>{@code
 * RecoveryService recovery = tm.recovery();
 * RecoveryReport report = recovery.runPass();     // a full pass now
 * if (report.unresolved()) {
 *   System.out.println(report);                    // one line per Xid
 *   for (InDoubtXid x : recovery.inDoubt()) { ... recovery.rollbackInDoubt(x.xid()); }
 * }
 * }</pre>
 *
 * <p>Thread-safe; passes and operator actions are serialized.
 */
public interface RecoveryService {

  /** {@return the report of a full pass over every resource, run now (ignoring backoff)} */
  RecoveryReport runPass();

  /** {@return the report of the last pass, or {@code null} before the first} */
  RecoveryReport lastReport();

  /** {@return the Xids of this node seen prepared and not resolved, with the reason} */
  List<InDoubtXid> inDoubt();

  /**
   * {@return the heuristic outcomes in the log (from earlier processes and this one) not cleared
   * yet}
   */
  List<LogState.HeuristicEntry> unresolvedHeuristics();

  /**
   * Commits an in-doubt Xid by hand. Makes the decision durable first (a Committing record for its
   * gtrid, unless there is one), so later passes commit the other branches of the same gtrid.
   *
   * @param xidString an Xid of {@link #inDoubt()}, as {@link InDoubtXid#xid()} shows it
   * @return the line describing what happened
   * @throws IllegalArgumentException the Xid is not in {@link #inDoubt()}
   * @throws RecoveryException the resource or the log failed
   */
  RecoveryLine commitInDoubt(String xidString);

  /**
   * Rolls back an in-doubt Xid by hand.
   *
   * @param xidString an Xid of {@link #inDoubt()}, as {@link InDoubtXid#xid()} shows it
   * @return the line describing what happened
   * @throws RecoveryRefusedException its gtrid has a durable Committing (I3): it can only commit
   * @throws IllegalArgumentException the Xid is not in {@link #inDoubt()}
   * @throws RecoveryException the resource failed
   */
  RecoveryLine rollbackInDoubt(String xidString);

  /**
   * Clears every unresolved heuristic outcome of one branch ({@code node/epoch/sequence#branch}),
   * with a durable HeuristicCleared record.
   *
   * @param xidString the branch, as {@link RecoveryInspection#heuristicXid} names it
   * @return how many entries were cleared
   * @throws IllegalArgumentException there is no unresolved heuristic for that Xid
   * @throws RecoveryException the log refused the record
   */
  int clearHeuristic(String xidString);

  /**
   * Starts that accepted a damaged log ({@code xatm.log.open-damaged=true}) and no operator has
   * cleared, epoch to what was accepted: no Xid of an epoch before such a start is presumed aborted
   * (they stay in doubt), whatever checkpoints and GC removed since.
   *
   * @return epoch to the damage accepted, in epoch order
   */
  java.util.SortedMap<Long, String> acceptedDamage();

  /**
   * The operator resolved every Xid the damage accepted by starts up to {@code epoch} could have
   * left (checked each resource by hand): logs {@code DamageCleared} (forced), after which presumed
   * abort applies to those epochs again from the next pass on.
   *
   * @param epoch the last epoch whose accepted damage is cleared
   * @return how many accepted damages were cleared
   * @throws RecoveryException the record could not be logged
   */
  int clearAcceptedDamage(long epoch);
}
