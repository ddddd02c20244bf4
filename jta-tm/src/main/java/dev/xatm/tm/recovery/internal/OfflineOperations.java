package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.InDoubtXid;
import dev.xatm.tm.recovery.PreparedXid;
import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryException;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryLogState;
import dev.xatm.tm.recovery.RecoveryResult;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

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
  private final Targets targets;

  /** {@code env}: the log held open and replayed; the identity of the next start. */
  public OfflineOperations(RecoveryEnv env) {
    this.env = env;
    this.decisions = new Decisions(env);
    this.targets = new Targets(env.config(), env.connectors(), env.offeredPassword());
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

  /**
   * The operator's explicit override for a prepared Xid that is not this node's (another node,
   * another transaction manager, or this node id written by another log): commit or roll back
   * exactly that Xid at its resource, confirm by a fresh {@code recover()}. Nothing is logged: it
   * is not this log's transaction. Recovery itself never does this.
   *
   * @throws IllegalArgumentException no foreign prepared Xid of that name on any resource
   */
  public RecoveryLine resolveForeign(String xidName, boolean commit, boolean logDamaged) {
    LogState state = decisions.view().snapshot();
    var report =
        OfflinePass.inspect(
            state, env.identity().logId(), logDamaged, env.config(), env.connectors());
    PreparedXid p =
        report.prepared().stream()
            .filter(x -> x.kind() != PreparedXid.Kind.OURS && x.xid().equals(xidName))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        xidName
                            + " is not a foreign prepared Xid on any resource of this node (xatm"
                            + " foreign list shows them)"));
    Target t =
        targets
            .find(decisions.view().resources(), p.resourceId())
            .orElseThrow(() -> new RecoveryException(p.resourceId() + " is not reachable", null));
    if (t.problem != null) {
      throw new RecoveryException(p.resourceId() + ": " + t.problem, null);
    }
    Xid raw = new XaCall.SimpleXid(p.formatId(), p.gtrid(), p.bqual());
    String what = commit ? "forced commit" : "forced rollback";
    try (RecoverySession s = t.connector.open(t.descriptor, t.password)) {
      XAResource xa = s.xaResource();
      XaCall call = BranchCall.call(xa, raw, commit);
      boolean gone = true;
      try {
        for (Xid x : XaCall.recover(xa)) {
          gone &= !x.equals(raw); // recover() returns value copies
        }
      } catch (XAException e) {
        gone = false;
      }
      String reason =
          what
              + " of a foreign Xid by the operator (--force): "
              + (call.ok() ? "done" : "answered " + call.describe())
              + (gone ? "; confirmed: absent from a fresh recover()" : "; still prepared");
      return new RecoveryLine(
          p.xid(),
          p.resourceId(),
          RecoveryLogState.NOT_APPLICABLE,
          commit ? RecoveryAction.COMMIT : RecoveryAction.ROLLBACK,
          gone ? RecoveryResult.DONE : RecoveryResult.NOT_CONFIRMED,
          reason);
    } catch (ResourceUnavailableException e) {
      throw new RecoveryException(what + " of " + xidName + ": " + e.getMessage(), e);
    }
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
