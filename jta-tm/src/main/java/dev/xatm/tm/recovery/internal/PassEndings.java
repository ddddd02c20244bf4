package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryLogState;
import dev.xatm.tm.recovery.RecoveryResult;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The second half of a pass (docs/recovery.md): once every resource was scanned and acted on, End
 * for each decided transaction whose every branch is confirmed, End(rolled back) for each
 * presumed-aborted one none of whose branches is prepared any more, and a line for every branch
 * that keeps a transaction open (unreachable, unidentified, or not xatm's). One pass, one thread.
 */
final class PassEndings {
  private final Pass.Context ctx;
  private final PassFindings found;
  private final List<RecoveryLine> lines;
  private final Instant now;

  /** Per unreachable resource: the decided branches waiting for it. */
  final Map<String, Map<String, InDoubtTable.Entry>> waiting = new HashMap<>();

  /**
   * Branches of undecided transactions (a Begin, no decision) on resources this pass could not
   * reach: presumed abort waits for the resource, and meanwhile they may hold locks there.
   */
  int undecidedUnreachable;

  PassEndings(Pass.Context ctx, PassFindings found, List<RecoveryLine> lines, Instant now) {
    this.ctx = ctx;
    this.found = found;
    this.lines = lines;
    this.now = now;
  }

  /** Writes the Ends {@code state} (the log after every call of the pass) allows. */
  void run(LogState state, boolean noTargets) {
    finishDecided(state, noTargets);
    finishPresumedAborted(state, noTargets);
  }

  /** End for every decided transaction whose branches are all confirmed in this pass. */
  private void finishDecided(LogState state, boolean noTargets) {
    for (LogState.DecidedTransaction dt : ctx.decisions().toFinish(state)) {
      Gtrid g = dt.gtrid();
      boolean all = true;
      for (Branch b : dt.branches()) {
        all &= confirmed(g, b, noTargets);
      }
      if (all && ctx.decisions().endIfStillDecided(g)) {
        lines.add(
            new RecoveryLine(
                g.toString(),
                "-",
                RecoveryLogState.COMMITTING,
                RecoveryAction.WRITE_END,
                RecoveryResult.DONE,
                "every branch confirmed committed: End written"));
      }
    }
  }

  /**
   * End(rolled back) for every transaction with only a Begin in the log that presumed abort covers
   * (earlier start, undamaged log, nothing keeps it in doubt) once none of its branches is prepared
   * anywhere this pass could see: otherwise it would stay "begun" and be copied into every later
   * checkpoint. Branches of unidentified or unreachable resources keep it open.
   */
  private void finishPresumedAborted(LogState state, boolean noTargets) {
    if (noTargets) {
      return;
    }
    for (LogState.BegunTransaction bt : state.begunOnly().values()) {
      Gtrid g = bt.gtrid();
      XidDecider.Decision d = ctx.decisions().decide(g);
      if (ctx.identity().thisProcess(g)
          || d.action() != RecoveryAction.ROLLBACK
          || d.logState() != RecoveryLogState.BEGUN) {
        continue;
      }
      boolean all = true;
      for (Branch b : bt.branches()) {
        all &= rolledBackOrAbsent(g, b);
        if (found.isUnreachable(b.resourceId())) {
          undecided(g, b);
        }
      }
      if (all) {
        ctx.decisions().end(g, Outcome.ROLLED_BACK);
        lines.add(
            new RecoveryLine(
                g.toString(),
                "-",
                RecoveryLogState.BEGUN,
                RecoveryAction.WRITE_END,
                RecoveryResult.DONE,
                "presumed abort: no branch prepared any more: End(rolled back) written"));
      }
    }
  }

  /** Reports a branch of an undecided transaction on an unreachable resource (not hidden). */
  private void undecided(Gtrid g, Branch b) {
    undecidedUnreachable++;
    String xid =
        XatmXid.branchOf(b.bqual()).map(n -> new XatmXid(g, n).toString()).orElse(g + "?" + b);
    lines.add(
        new RecoveryLine(
            xid,
            b.resourceId(),
            RecoveryLogState.BEGUN,
            RecoveryAction.CHECK,
            RecoveryResult.UNREACHABLE,
            "undecided (Begin, no Committing) branch on an unreachable resource: it may hold"
                + " locks there; presumed abort rolls it back once the resource answers"));
  }

  private boolean rolledBackOrAbsent(Gtrid g, Branch b) {
    Optional<Integer> n = XatmXid.branchOf(b.bqual());
    if (n.isEmpty()) {
      return false;
    }
    XatmXid x = new XatmXid(g, n.get());
    if (found.rolledBack.contains(x)) {
      return true;
    }
    if (b.resourceId() != null) {
      Set<XatmXid> still = found.stillListedBy(b.resourceId());
      return still != null && !still.contains(x);
    }
    return !found.anyUnreachable() && !found.listedAnywhere(x);
  }

  private boolean confirmed(Gtrid g, Branch b, boolean noTargets) {
    Optional<Integer> n = XatmXid.branchOf(b.bqual());
    String rid = b.resourceId() == null ? "-" : b.resourceId();
    if (n.isEmpty()) {
      addDecided(g + "?" + b, rid, RecoveryResult.IN_DOUBT, "the logged bqual is not xatm's");
      return false;
    }
    XatmXid x = new XatmXid(g, n.get());
    if (found.finished.contains(x)) {
      return true;
    }
    if (b.resourceId() != null) {
      Set<XatmXid> still = found.stillListedBy(rid);
      if (still != null) {
        if (still.contains(x)) {
          return false; // its own line says why
        }
        addDecided(
            x.toString(), rid, RecoveryResult.DONE, "not prepared at the resource: committed");
        return true;
      }
      if (found.isUnreachable(rid)) {
        RecoveryLine l =
            addDecided(
                x.toString(),
                rid,
                RecoveryResult.UNREACHABLE,
                "resource unreachable: branch not confirmed; End not written");
        // Listed as in doubt too: an operator asking what is unresolved during an outage must
        // see the decided branches waiting for it, not only Xids some scan once listed.
        waiting
            .computeIfAbsent(rid, k -> new LinkedHashMap<>())
            .put(l.xid(), ctx.inDoubt().entry(l, x, now));
      } else {
        addDecided(
            x.toString(),
            rid,
            RecoveryResult.IN_DOUBT,
            "resource neither registered in the log nor configured: branch cannot be confirmed");
      }
      return false;
    }
    if (found.listedAnywhere(x)) {
      return false;
    }
    if (!found.anyUnreachable() && !noTargets) {
      addDecided(x.toString(), rid, RecoveryResult.DONE, "not prepared at any resource: committed");
      return true;
    }
    addDecided(
        x.toString(),
        rid,
        RecoveryResult.UNREACHABLE,
        "branch of an unidentified resource: not confirmed while a resource is unreachable");
    return false;
  }

  private RecoveryLine addDecided(String xid, String rid, RecoveryResult r, String reason) {
    RecoveryLine l =
        new RecoveryLine(xid, rid, RecoveryLogState.COMMITTING, RecoveryAction.CHECK, r, reason);
    lines.add(l);
    return l;
  }
}
