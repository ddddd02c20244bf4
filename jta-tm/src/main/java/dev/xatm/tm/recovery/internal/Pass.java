package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.TmIdentity;
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
 * hand what the scans found to {@link PassEndings}, which writes the Ends. Runs under the engine's
 * pass lock; one instance per pass.
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

  /** What the scans and calls established, for the Ends written after them. */
  private final PassFindings found = new PassFindings();

  /** Branches of undecided transactions on unreachable resources (see {@link PassEndings}). */
  int undecidedUnreachable;

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
    PassEndings endings = new PassEndings(ctx, found, lines, now);
    endings.run(state, targets.isEmpty());
    undecidedUnreachable = endings.undecidedUnreachable;
    endings.waiting.forEach(ctx.inDoubt()::add);
    for (XatmXid x : found.finished) {
      ctx.decisions().resolvedElsewhere(x, Outcome.COMMITTED);
    }
    for (XatmXid x : found.rolledBack) {
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
          add(name, t, RecoveryLogState.NOT_APPLICABLE, ForeignXids.reason(raw, ctx.nodeId()));
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
      found.scanned(t.resourceId, still);
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
        (commit ? found.finished : found.rolledBack).add(x);
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
          found.finished.add(x);
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
        (p.action() == RecoveryAction.COMMIT ? found.finished : found.rolledBack).add(p.xid());
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

  private void unreachable(Target t, String reason, boolean countsForBackoff) {
    String next = "";
    if (countsForBackoff) {
      Duration d = ctx.backoff().failed(t.resourceId, now);
      next = "; background passes retry it in " + d;
    }
    found.markUnreachable(t.resourceId);
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
}
