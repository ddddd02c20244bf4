package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.InDoubtXid;
import dev.xatm.tm.recovery.PreparedXid;
import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryLine;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An operator's actions on a stopped node, through its own log (held open, so no start can race
 * them): the same {@link OperatorActions} the running TM uses, on the in-doubt Xids a read-only
 * scan finds, decided as the next start would ({@link OfflinePass}). Nothing else is touched: no
 * pass runs, no presumed abort is carried out, no epoch is taken.
 *
 * <p>Not thread-safe: one operator command at a time.
 */
public final class OfflineOperations {
  private final RecoveryEnv env;
  private final Decisions decisions;
  private final InDoubtTable inDoubt = new InDoubtTable();
  private final OperatorActions operator;

  /** {@code env}: the log held open and replayed; the identity of the next start. */
  public OfflineOperations(RecoveryEnv env) {
    this.env = env;
    this.decisions = new Decisions(env);
    Targets targets = new Targets(env.config(), env.connectors(), env.offeredPassword());
    this.operator = new OperatorActions(env, decisions, inDoubt, targets);
  }

  /**
   * Scans every resource read-only; the Xids the next start would keep in doubt become the ones an
   * operator may commit or roll back.
   */
  public List<InDoubtXid> scan(boolean logDamaged) {
    LogState state = decisions.view().snapshot();
    var report =
        OfflinePass.inspect(
            state, env.identity().logId(), logDamaged, env.config(), env.connectors());
    Map<String, Map<String, InDoubtTable.Entry>> found = new HashMap<>();
    Instant now = env.clock().instant();
    for (PreparedXid p : report.prepared()) {
      if (p.kind() != PreparedXid.Kind.OURS
          || p.action() != RecoveryAction.LEAVE_ALONE
          || !p.result().unresolved()) {
        continue;
      }
      Optional<XatmXid> x =
          XatmXid.parse(new XaCall.SimpleXid(p.formatId(), p.gtrid(), p.bqual()), env.nodeId());
      if (x.isEmpty()) {
        continue;
      }
      RecoveryLine l =
          new RecoveryLine(
              p.xid(), p.resourceId(), p.logState(), p.action(), p.result(), p.reason());
      found
          .computeIfAbsent(p.resourceId(), k -> new HashMap<>())
          .put(p.xid(), inDoubt.entry(l, x.get(), now));
    }
    for (String rid : report.scanned()) {
      inDoubt.replace(rid, found.getOrDefault(rid, Map.of()));
    }
    return inDoubt.list();
  }

  /** See {@link dev.xatm.tm.recovery.RecoveryService#commitInDoubt}. */
  public RecoveryLine commit(String xid) {
    return operator.commit(xid);
  }

  /** See {@link dev.xatm.tm.recovery.RecoveryService#rollbackInDoubt}. */
  public RecoveryLine rollback(String xid) {
    return operator.rollback(xid);
  }

  /** See {@link dev.xatm.tm.recovery.RecoveryService#clearHeuristic}. */
  public int clearHeuristic(String xid) {
    return operator.clearHeuristic(xid);
  }

  public List<LogState.HeuristicEntry> heuristics() {
    return decisions.view().heuristics();
  }
}
