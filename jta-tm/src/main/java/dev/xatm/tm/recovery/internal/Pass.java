package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryLogState;
import dev.xatm.tm.recovery.RecoveryResult;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * One recovery pass (docs/recovery.md): scan every resource, apply the decision table to each Xid
 * of this node, confirm calls that did not answer cleanly through a fresh {@code recover()}, then
 * write End for decided transactions whose every branch is confirmed. Runs under the engine's pass
 * lock; one instance per pass.
 */
final class Pass {
  /**
   * What a pass needs: who this process is, the log it appends to, the backoff it honours and
   * updates, the in-doubt table it updates, the decisions over the log's view, and whether it is
   * the strict startup pass (which refuses on evidence of lost records before any XA call).
   */
  record Context(
      TmIdentity identity,
      TxLog log,
      Backoff backoff,
      InDoubtTable inDoubt,
      ForeignXids foreign,
      Decisions decisions,
      boolean refusesLostRecords) {
    String nodeId() {
      return identity.nodeId();
    }
  }

  private final Context ctx;
  private final boolean honourBackoff;
  private final Instant now;
  final List<RecoveryLine> lines = new ArrayList<>();

  /** Lines of Xids that prove the log lost records (XidDecider.Decision#lostTail). */
  final List<RecoveryLine> lostTail = new ArrayList<>();

  /** Xids with this node id written by another log: two processes share the node id. */
  int otherLogXids;

  /**
   * Branches of undecided transactions (a Begin, no decision) on resources this pass could not
   * reach: presumed abort waits for the resource, and meanwhile they may hold locks there.
   */
  int undecidedUnreachable;

  /** Per resource scanned successfully: our Xids it still lists after this pass acted. */
  private final Map<String, Set<XatmXid>> stillListed = new HashMap<>();

  private final Set<String> failedResources = new HashSet<>();

  /** Branches of decided transactions finished in this pass (committed, confirmed, heuristic). */
  private final Set<XatmXid> finished = new HashSet<>();

  /** Per unreachable resource: the decided branches waiting for it. */
  private final Map<String, Map<String, InDoubtTable.Entry>> waiting = new HashMap<>();

  /** Branches this pass rolled back (answered, or confirmed by a fresh scan). */
  private final Set<XatmXid> rolledBack = new HashSet<>();

  /** A call that did not answer cleanly: confirmed or not by a fresh scan. */
  private record Pending(
      XatmXid xid, RecoveryLogState logState, RecoveryAction action, String reason) {}

  Pass(Context ctx, boolean honourBackoff, Instant now) {
    this.ctx = ctx;
    this.honourBackoff = honourBackoff;
    this.now = now;
  }

  /** A resource listed by this pass: its open session and the Xids recover() returned. */
  private record Listed(Target target, RecoverySession session, XAResource xa, Xid[] xids) {}

  void run(List<Target> targets) {
    List<Listed> listed = new ArrayList<>();
    try {
      for (Target t : targets) {
        list(t).ifPresent(listed::add);
      }
      if (ctx.refusesLostRecords() && provesLostRecords(listed)) {
        return; // the strict start refuses; nothing was sent to any resource (I3)
      }
      for (Listed l : listed) {
        act(l);
      }
    } finally {
      for (Listed l : listed) {
        close(l);
      }
    }
    LogState state = ctx.decisions().view().snapshot(); // after every call of this pass
    finishDecided(state, targets.isEmpty());
    finishPresumedAborted(state, targets.isEmpty());
    waiting.forEach(ctx.inDoubt()::add);
    for (XatmXid x : finished) {
      ctx.decisions().resolvedElsewhere(x, Outcome.COMMITTED);
    }
    for (XatmXid x : rolledBack) {
      ctx.decisions().resolvedElsewhere(x, Outcome.ROLLED_BACK);
    }
  }

  /** Opens a session and lists the resource; empty (and reported) when it cannot. */
  private Optional<Listed> list(Target t) {
    if (t.problem != null) {
      unreachable(t, t.problem, false);
      return Optional.empty();
    }
    if (honourBackoff && !ctx.backoff().due(t.resourceId, now)) {
      unreachable(
          t,
          "backing off after failures; next try at "
              + ctx.backoff().nextDue(t.resourceId).orElse(now),
          false);
      return Optional.empty();
    }
    RecoverySession session;
    try {
      session = t.connector.open(t.descriptor, t.password);
    } catch (ResourceUnavailableException e) {
      unreachable(t, "cannot connect: " + e.getMessage(), true);
      return Optional.empty();
    } catch (RuntimeException e) {
      unreachable(t, "the connector failed: " + e, true);
      return Optional.empty();
    }
    Listed l = new Listed(t, session, null, null);
    try {
      XAResource xa = session.xaResource();
      Xid[] xids;
      try {
        xids = XaCall.recover(xa);
      } catch (XAException e) {
        unreachable(
            t, "recover() failed with " + new XaCall(false, e.errorCode, e).describe(), true);
        close(l);
        return Optional.empty();
      }
      ctx.backoff().succeeded(t.resourceId);
      return Optional.of(new Listed(t, session, xa, xids));
    } catch (RuntimeException e) {
      unreachable(t, "the resource failed during the pass: " + e, true);
      close(l);
      return Optional.empty();
    }
  }

  /**
   * Decides every listed Xid without acting on any: a strict start refuses on an Xid that proves
   * lost records, and must do so before any XA call, because the decisions of the other Xids
   * (presumed abort) are only sound when no Xid proves the log lost records (I3).
   */
  private boolean provesLostRecords(List<Listed> listed) {
    for (Listed l : listed) {
      for (Xid raw : l.xids()) {
        Optional<XatmXid> ours = XatmXid.parse(raw, ctx.nodeId());
        if (ours.isEmpty()
            || ctx.identity().ownership(ours.get().gtrid()) == TmIdentity.Ownership.OTHER_LOG) {
          continue;
        }
        XidDecider.Decision d = ctx.decisions().decide(ours.get().gtrid());
        if (d.lostTail()) {
          lostTail.add(
              line(
                  ours.get().toString(),
                  l.target(),
                  d.logState(),
                  d.action(),
                  d.ifNoCall(),
                  d.reason()));
        }
      }
    }
    return !lostTail.isEmpty();
  }

  private static void close(Listed l) {
    try {
      l.session().close();
    } catch (RuntimeException e) {
      // closing a recovery session is best effort; the pass's results stand
    }
  }

  private void act(Listed l) {
    Target t = l.target();
    XAResource xa = l.xa();
    try {
      Set<XatmXid> still = new HashSet<>();
      List<Pending> pending = new ArrayList<>();
      Map<String, InDoubtTable.Entry> unresolved = new LinkedHashMap<>();
      Set<String> foreign = new HashSet<>();
      for (Xid raw : l.xids()) {
        Optional<XatmXid> ours = XatmXid.parse(raw, ctx.nodeId());
        if (ours.isEmpty()) {
          String name = XaCall.name(raw, null);
          foreign.add(name);
          add(name, t, RecoveryLogState.NOT_APPLICABLE, foreignReason(raw, ctx.nodeId()));
          continue;
        }
        if (ctx.identity().ownership(ours.get().gtrid()) == TmIdentity.Ownership.OTHER_LOG) {
          otherLog(t, ours.get());
          continue;
        }
        handle(t, xa, ours.get(), still, pending, unresolved);
      }
      if (!pending.isEmpty()) {
        confirm(t, xa, pending, still, unresolved);
      }
      stillListed.put(t.resourceId, still);
      ctx.inDoubt().replace(t.resourceId, unresolved);
      ctx.foreign().replace(t.resourceId, foreign, now);
    } catch (RuntimeException e) {
      // A driver failing mid-pass: what was done is done and logged; the rest waits.
      unreachable(t, "the resource failed during the pass: " + e, true);
    }
  }

  private void handle(
      Target t,
      XAResource xa,
      XatmXid x,
      Set<XatmXid> still,
      List<Pending> pending,
      Map<String, InDoubtTable.Entry> unresolved) {
    XidDecider.Decision d = ctx.decisions().decide(x.gtrid());
    if (d.action() == RecoveryAction.ROLLBACK && ctx.identity().thisProcess(x.gtrid())) {
      // Hazard: a live transaction of this process. Re-check right before acting.
      d = ctx.decisions().decide(x.gtrid());
    }
    if (d.action() == RecoveryAction.LEAVE_ALONE) {
      if (d.keep() && !(d.lostTail() && ctx.refusesLostRecords())) {
        try {
          ctx.decisions().keepInDoubt(x.gtrid(), d.reason());
        } catch (TxLogException | RuntimeException e) {
          RecoveryLine l =
              line(
                  x.toString(),
                  t,
                  d.logState(),
                  d.action(),
                  RecoveryResult.FAILED,
                  d.reason() + "; keeping it in doubt could not be logged: " + e.getMessage());
          still.add(x);
          unresolved.put(x.toString(), ctx.inDoubt().entry(l, x, now));
          return;
        }
      }
      RecoveryLine l = line(x.toString(), t, d.logState(), d.action(), d.ifNoCall(), d.reason());
      if (d.lostTail()) {
        lostTail.add(l);
      }
      still.add(x);
      if (l.unresolved()) {
        unresolved.put(x.toString(), ctx.inDoubt().entry(l, x, now));
      }
      return;
    }
    boolean commit = d.action() == RecoveryAction.COMMIT;
    BranchCall.Completion c = BranchCall.complete(ctx.log(), xa, x, t.resourceId, commit);
    switch (c.result()) {
      case DONE -> {
        line(x.toString(), t, d.logState(), d.action(), RecoveryResult.DONE, d.reason() + ": done");
        (commit ? finished : rolledBack).add(x);
      }
      case HEURISTIC -> {
        line(
            x.toString(),
            t,
            d.logState(),
            d.action(),
            RecoveryResult.HEURISTIC,
            d.reason() + "; " + c.detail());
        if (commit) {
          finished.add(x);
        }
      }
      case NOT_LOGGED -> {
        RecoveryLine l =
            line(x.toString(), t, d.logState(), d.action(), RecoveryResult.FAILED, c.detail());
        still.add(x);
        unresolved.put(x.toString(), ctx.inDoubt().entry(l, x, now));
      }
      default ->
          pending.add(new Pending(x, d.logState(), d.action(), d.reason() + "; " + c.detail()));
    }
  }

  /** A branch that answered with an error is done only if a fresh recover() no longer lists it. */
  private void confirm(
      Target t,
      XAResource xa,
      List<Pending> pending,
      Set<XatmXid> still,
      Map<String, InDoubtTable.Entry> unresolved) {
    BranchCall.Rescan again = BranchCall.rescan(xa, ctx.nodeId());
    String failure = again.failure();
    for (Pending p : pending) {
      if (!again.stillPrepared(p.xid())) {
        line(
            p.xid().toString(),
            t,
            p.logState(),
            p.action(),
            RecoveryResult.DONE,
            p.reason() + "; confirmed: absent from a fresh recover()");
        (p.action() == RecoveryAction.COMMIT ? finished : rolledBack).add(p.xid());
      } else {
        RecoveryLine l =
            line(
                p.xid().toString(),
                t,
                p.logState(),
                p.action(),
                RecoveryResult.NOT_CONFIRMED,
                p.reason()
                    + (failure == null
                        ? "; still prepared after it; retried next pass"
                        : "; the fresh recover() failed with " + failure + "; retried next pass"));
        still.add(p.xid());
        unresolved.put(p.xid().toString(), ctx.inDoubt().entry(l, p.xid(), now));
      }
    }
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
        if (b.resourceId() != null && failedResources.contains(b.resourceId())) {
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
    if (rolledBack.contains(x)) {
      return true;
    }
    if (b.resourceId() != null) {
      Set<XatmXid> still = stillListed.get(b.resourceId());
      return still != null && !still.contains(x);
    }
    return failedResources.isEmpty() && stillListed.values().stream().noneMatch(s -> s.contains(x));
  }

  private boolean confirmed(Gtrid g, Branch b, boolean noTargets) {
    Optional<Integer> n = XatmXid.branchOf(b.bqual());
    String rid = b.resourceId() == null ? "-" : b.resourceId();
    if (n.isEmpty()) {
      addDecided(g + "?" + b, rid, RecoveryResult.IN_DOUBT, "the logged bqual is not xatm's");
      return false;
    }
    XatmXid x = new XatmXid(g, n.get());
    if (finished.contains(x)) {
      return true;
    }
    if (b.resourceId() != null) {
      Set<XatmXid> still = stillListed.get(rid);
      if (still != null) {
        if (still.contains(x)) {
          return false; // its own line says why
        }
        addDecided(
            x.toString(), rid, RecoveryResult.DONE, "not prepared at the resource: committed");
        return true;
      }
      if (failedResources.contains(rid)) {
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
    if (stillListed.values().stream().anyMatch(s -> s.contains(x))) {
      return false;
    }
    if (failedResources.isEmpty() && !noTargets) {
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

  private void unreachable(Target t, String reason, boolean countsForBackoff) {
    String next = "";
    if (countsForBackoff) {
      Duration d = ctx.backoff().failed(t.resourceId, now);
      next = "; background passes retry it in " + d;
    }
    failedResources.add(t.resourceId);
    lines.add(
        new RecoveryLine(
            "-",
            t.resourceId,
            RecoveryLogState.NOT_APPLICABLE,
            RecoveryAction.SCAN,
            RecoveryResult.UNREACHABLE,
            reason + next));
  }

  /**
   * Another log wrote this Xid with our node id: another process is configured with the same node
   * id. Its transaction may be prepared right now and committed a moment later by its owner, so it
   * is never touched; the line is unresolved, so every pass reports it at WARNING.
   */
  private void otherLog(Target t, XatmXid x) {
    otherLogXids++;
    lines.add(
        new RecoveryLine(
            x.toString(),
            t.resourceId,
            RecoveryLogState.NOT_APPLICABLE,
            RecoveryAction.LEAVE_ALONE,
            RecoveryResult.NODE_ID_CLASH,
            "NODE ID CLASH: an Xid with this node id ('"
                + x.gtrid().nodeId()
                + String.format("') written by another log (log id %016x", x.gtrid().logId())
                + String.format(", this log %016x)", ctx.identity().logId())
                + ": another process is configured with the same xatm.node-id; never touched."
                + " Give every process its own node id"));
  }

  private void add(String xid, Target t, RecoveryLogState state, String reason) {
    lines.add(
        new RecoveryLine(
            xid, t.resourceId, state, RecoveryAction.LEAVE_ALONE, RecoveryResult.FOREIGN, reason));
  }

  private RecoveryLine line(
      String xid,
      Target t,
      RecoveryLogState state,
      RecoveryAction action,
      RecoveryResult result,
      String reason) {
    RecoveryLine l = new RecoveryLine(xid, t.resourceId, state, action, result, reason);
    lines.add(l);
    return l;
  }

  /** Why a prepared Xid is not node {@code nodeId}'s: the words of every report and listing. */
  static String foreignReason(Xid raw, String nodeId) {
    if (raw.getFormatId() != XatmXid.FORMAT_ID) {
      return "foreign: format id 0x" + Integer.toHexString(raw.getFormatId()) + " is not xatm's";
    }
    Optional<Gtrid> g = Gtrid.fromBytes(raw.getGlobalTransactionId());
    if (g.isPresent() && !g.get().nodeId().equals(nodeId)) {
      return "foreign: xatm Xid of node '" + g.get().nodeId() + "', not this node";
    }
    return "foreign: xatm format id but not a well-formed xatm Xid";
  }
}
