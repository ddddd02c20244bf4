package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryException;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryLogState;
import dev.xatm.tm.recovery.RecoveryRefusedException;
import dev.xatm.tm.recovery.RecoveryResult;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An operator's resolution of what recovery could not (docs/recovery.md, docs/operations.md):
 * commit or roll back an in-doubt Xid, clear a heuristic, clear accepted damage. The decision is
 * durable before any resource hears it (a Committing for a commit; a rollback of a gtrid with a
 * Committing is refused, I3), and the branch is completed with the same {@link BranchCall} a pass
 * uses.
 *
 * <p>Not thread-safe: the engine calls it under its pass lock.
 */
final class OperatorActions {
  private static final System.Logger LOG = System.getLogger(OperatorActions.class.getName());

  private final RecoveryEnv env;
  private final Decisions decisions;
  private final InDoubtTable inDoubt;
  private final Targets targets;

  OperatorActions(RecoveryEnv env, Decisions decisions, InDoubtTable inDoubt, Targets targets) {
    this.env = env;
    this.decisions = decisions;
    this.inDoubt = inDoubt;
    this.targets = targets;
  }

  RecoveryLine commit(String xidString) {
    InDoubtTable.Entry e = inDoubt.find(xidString);
    Gtrid g = e.xid().gtrid();
    if (decisions.aliveHere(g)) {
      throw new RecoveryRefusedException(
          xidString + " belongs to a live transaction of this process; it completes it itself");
    }
    if (!decisions.committedInLog(g)) {
      List<Branch> branches = branchesOf(g, e);
      try {
        env.log().logCommitting(g, branches);
      } catch (TxLogException ex) {
        throw new RecoveryException(
            "the commit decision for " + g + " could not be logged; nothing was sent", ex);
      }
      LOG.log(Level.WARNING, "operator decided to commit " + g + " (Committing logged)");
    }
    return complete(e, true, "operator commit");
  }

  RecoveryLine rollback(String xidString) {
    // The refusal comes first, even for a Xid that is not in doubt (I3).
    Gtrid g = gtridOf(xidString).orElseGet(() -> inDoubt.find(xidString).xid().gtrid());
    if (decisions.committedInLog(g)) {
      throw new RecoveryRefusedException(
          "refusing to roll back "
              + xidString
              + ": its transaction "
              + g
              + " has a durable Committing record, so every branch must commit (I3); use"
              + " commitInDoubt");
    }
    if (decisions.aliveHere(g)) {
      throw new RecoveryRefusedException(
          xidString + " belongs to a live transaction of this process; it completes it itself");
    }
    RecoveryLine line = complete(inDoubt.find(xidString), false, "operator rollback");
    if (!line.unresolved() && decisions.view().keptInDoubt(g).isPresent()) {
      // The operator decided: rolled back. The End resolves the KeptInDoubt record, and later
      // passes roll back the gtrid's other branches (End(rolled back), docs/recovery.md).
      decisions.end(g, Outcome.ROLLED_BACK);
    }
    return line;
  }

  /** The gtrid of {@code <gtrid>#branch} (Gtrid#toString) when it is this node's. */
  private Optional<Gtrid> gtridOf(String xidString) {
    int hash = xidString.lastIndexOf('#');
    if (hash < 0) {
      return Optional.empty();
    }
    return Gtrid.parse(xidString.substring(0, hash)).filter(g -> g.nodeId().equals(env.nodeId()));
  }

  private List<Branch> branchesOf(Gtrid g, InDoubtTable.Entry e) {
    Optional<LogState.BegunTransaction> begun = decisions.view().begun(g);
    if (begun.isPresent()) {
      return begun.get().branches();
    }
    List<Branch> out = inDoubt.branchesOf(g);
    return out.isEmpty()
        ? List.of(new Branch(e.view().resourceId(), e.xid().getBranchQualifier()))
        : out;
  }

  private RecoveryLine complete(InDoubtTable.Entry e, boolean commit, String what) {
    String rid = e.view().resourceId();
    Target t =
        targets
            .find(decisions.view().resources(), rid)
            .orElseThrow(
                () -> new RecoveryException(rid + " is no longer known to recovery", null));
    if (t.problem != null) {
      throw new RecoveryException(what + " of " + e.xid() + " not possible: " + t.problem, null);
    }
    XatmXid x = e.xid();
    RecoveryLogState state = e.view().logState();
    RecoveryAction action = commit ? RecoveryAction.COMMIT : RecoveryAction.ROLLBACK;
    RecoveryResult result;
    String reason;
    try (RecoverySession s = t.connector.open(t.descriptor, t.password)) {
      var xa = s.xaResource();
      BranchCall.Completion c = BranchCall.complete(env.log(), xa, x, rid, commit);
      switch (c.result()) {
        case DONE -> {
          result = RecoveryResult.DONE;
          reason = what + ": done";
        }
        case HEURISTIC -> {
          result = RecoveryResult.HEURISTIC;
          reason = what + ": " + c.detail();
        }
        case NOT_LOGGED -> throw new RecoveryException(what + " of " + x + ": " + c.detail(), null);
        default -> {
          BranchCall.Rescan again = BranchCall.rescan(xa, env.nodeId());
          boolean gone = !again.stillPrepared(x);
          result = gone ? RecoveryResult.DONE : RecoveryResult.NOT_CONFIRMED;
          reason =
              what
                  + ": "
                  + c.detail()
                  + (gone ? "; confirmed: absent from a fresh recover()" : "; not confirmed");
        }
      }
    } catch (ResourceUnavailableException ex) {
      throw new RecoveryException(what + " of " + x + ": " + ex.getMessage(), ex);
    }
    RecoveryLine line = new RecoveryLine(x.toString(), rid, state, action, result, reason);
    LOG.log(line.unresolved() ? Level.WARNING : Level.INFO, "recovery (operator): " + line);
    if (!line.unresolved() || line.result() == RecoveryResult.HEURISTIC) {
      inDoubt.remove(rid, x.toString());
    }
    return line;
  }

  int clearHeuristic(String xidString) {
    List<LogState.HeuristicEntry> matching =
        decisions.view().heuristics().stream().filter(h -> name(h).equals(xidString)).toList();
    if (matching.isEmpty()) {
      throw new IllegalArgumentException("no unresolved heuristic for " + xidString);
    }
    Map<String, LogState.HeuristicEntry> byBranch = new HashMap<>();
    for (LogState.HeuristicEntry h : matching) {
      byBranch.putIfAbsent(h.gtrid() + "|" + h.branch(), h);
    }
    for (LogState.HeuristicEntry h : byBranch.values()) {
      try {
        env.log().logHeuristicCleared(h.gtrid(), h.branch());
      } catch (TxLogException e) {
        throw new RecoveryException(
            "clearing the heuristic of " + xidString + " could not be logged", e);
      }
    }
    LOG.log(
        Level.WARNING,
        "recovery (operator): cleared "
            + matching.size()
            + " heuristic outcome(s) of "
            + xidString
            + ": "
            + matching);
    return matching.size();
  }

  int clearAcceptedDamage(long epoch) {
    var accepted = decisions.view().damageAccepted();
    int n = accepted.headMap(epoch + 1).size();
    if (n == 0) {
      throw new IllegalArgumentException(
          "no accepted damage up to epoch " + epoch + " (accepted: " + accepted + ")");
    }
    try {
      env.log().logDamageCleared(epoch);
    } catch (TxLogException e) {
      throw new RecoveryException("clearing the accepted damage could not be logged", e);
    }
    LOG.log(
        Level.WARNING,
        "recovery (operator): cleared " + n + " accepted damage(s) up to epoch " + epoch);
    return n;
  }

  /** {@code node/epoch/seq#branch} of a heuristic entry: the form {@code clearHeuristic} takes. */
  static String name(LogState.HeuristicEntry h) {
    return XatmXid.branchOf(h.branch().bqual())
        .map(n -> new XatmXid(h.gtrid(), n).toString())
        .orElse(h.gtrid() + "?" + h.branch());
  }
}
