package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.PreparedXid;
import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryInspection;
import dev.xatm.tm.recovery.RecoveryLogState;
import dev.xatm.tm.recovery.RecoveryResult;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;

/**
 * The read-only half of a recovery pass for a stopped node ({@link RecoveryInspection}): the same
 * resource list ({@link Targets}), the same {@code recover()} ({@link XaCall#recover}), the same
 * ownership test ({@link TmIdentity#ownership}) and the same decision table ({@link XidDecider}),
 * with the facts a new process start would have: the log's state, no live transaction, nothing
 * decided in process, an epoch one past the log's last. Nothing is sent but {@code recover()}.
 *
 * <p>Stateless; each call opens and closes its own sessions.
 */
public final class OfflinePass {
  private OfflinePass() {}

  /** See {@link RecoveryInspection#inspect}. */
  public static RecoveryInspection.Report inspect(
      LogState state,
      long logId,
      boolean logDamaged,
      RecoveryConfig config,
      List<RecoveryConnector> connectors) {
    TmIdentity next = TmIdentity.start(state.nodeId(), logId, state.epoch() + 1);
    XidDecider.Facts facts = facts(state, next, logDamaged, config);
    List<String> scanned = new ArrayList<>();
    List<PreparedXid> prepared = new ArrayList<>();
    List<RecoveryInspection.Unreachable> unreachable = new ArrayList<>();
    for (Target t : new Targets(config, connectors, id -> null).resolve(state.resources())) {
      String url = t.descriptor == null ? null : t.descriptor.url();
      if (t.problem != null) {
        unreachable.add(new RecoveryInspection.Unreachable(t.resourceId, url, t.problem));
        continue;
      }
      Xid[] xids;
      try (RecoverySession s = t.connector.open(t.descriptor, t.password)) {
        xids = XaCall.recover(s.xaResource());
      } catch (ResourceUnavailableException e) {
        unreachable.add(
            new RecoveryInspection.Unreachable(
                t.resourceId, url, "cannot connect: " + e.getMessage()));
        continue;
      } catch (XAException e) {
        unreachable.add(
            new RecoveryInspection.Unreachable(
                t.resourceId,
                url,
                "recover() failed with " + new XaCall(false, e.errorCode, e).describe()));
        continue;
      } catch (RuntimeException e) {
        unreachable.add(
            new RecoveryInspection.Unreachable(t.resourceId, url, "the connector failed: " + e));
        continue;
      }
      scanned.add(t.resourceId);
      for (Xid raw : xids) {
        prepared.add(classify(raw, t.resourceId, url, next, facts));
      }
    }
    return new RecoveryInspection.Report(
        state.nodeId(), next.epoch(), scanned, prepared, unreachable);
  }

  private static PreparedXid classify(
      Xid raw, String resourceId, String url, TmIdentity me, XidDecider.Facts facts) {
    Optional<XatmXid> ours = XatmXid.parse(raw, me.nodeId());
    Optional<Gtrid> any =
        raw.getFormatId() == XatmXid.FORMAT_ID
            ? Gtrid.fromBytes(raw.getGlobalTransactionId())
            : Optional.empty();
    String owner = any.map(Gtrid::nodeId).orElse(null);
    long epoch = any.map(Gtrid::epoch).orElse(0L);
    if (ours.isEmpty()) {
      String reason = ForeignXids.reason(raw, me.nodeId());
      return xid(
          raw,
          resourceId,
          url,
          PreparedXid.Kind.FOREIGN,
          XaCall.name(raw, null),
          owner,
          epoch,
          RecoveryLogState.NOT_APPLICABLE,
          RecoveryAction.LEAVE_ALONE,
          RecoveryResult.FOREIGN,
          reason + "; never touched",
          false);
    }
    XatmXid x = ours.get();
    if (me.ownership(x.gtrid()) == TmIdentity.Ownership.OTHER_LOG) {
      return xid(
          raw,
          resourceId,
          url,
          PreparedXid.Kind.NODE_ID_CLASH,
          x.toString(),
          owner,
          epoch,
          RecoveryLogState.NOT_APPLICABLE,
          RecoveryAction.LEAVE_ALONE,
          RecoveryResult.NODE_ID_CLASH,
          String.format(
              "NODE ID CLASH: this node id written by another log (log id %016x, this log"
                  + " %016x): another process is configured with the same xatm.node-id; never"
                  + " touched",
              x.gtrid().logId(), me.logId()),
          false);
    }
    XidDecider.Decision d = XidDecider.decide(x.gtrid(), me, facts);
    return xid(
        raw,
        resourceId,
        url,
        PreparedXid.Kind.OURS,
        x.toString(),
        owner,
        epoch,
        d.logState(),
        d.action(),
        d.ifNoCall(),
        d.reason(),
        d.lostTail());
  }

  private static PreparedXid xid(
      Xid raw,
      String resourceId,
      String url,
      PreparedXid.Kind kind,
      String name,
      String owner,
      long epoch,
      RecoveryLogState state,
      RecoveryAction action,
      RecoveryResult result,
      String reason,
      boolean lostTail) {
    return new PreparedXid(
        resourceId,
        url,
        kind,
        name,
        raw.getFormatId(),
        raw.getGlobalTransactionId(),
        raw.getBranchQualifier(),
        owner,
        epoch,
        state,
        action,
        result,
        reason,
        lostTail);
  }

  /** What a new start knows: the log only, nothing alive, no log failure. */
  private static XidDecider.Facts facts(
      LogState state, TmIdentity next, boolean logDamaged, RecoveryConfig config) {
    return new LogFacts(
        state.asView(),
        g -> false,
        () -> false,
        () -> logDamaged,
        config.legacyXids(),
        next.epoch());
  }

  /** See {@link RecoveryInspection#heuristicXid}: exactly what {@code clearHeuristic} matches. */
  public static String heuristicName(LogState.HeuristicEntry h) {
    return OperatorActions.name(h);
  }
}
