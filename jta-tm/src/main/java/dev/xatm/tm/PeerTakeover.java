package dev.xatm.tm;

import dev.xatm.tm.cluster.DecisionMirror;
import dev.xatm.tm.cluster.PeerRecoverer;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.internal.XaWorkers;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.TakenOverLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.internal.RecoveryEngine;
import dev.xatm.tm.recovery.internal.RecoveryEnv;
import dev.xatm.tm.spi.RecoveryConnector;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * Recovery of a node whose lease this node took over (docs/cluster.md, "Takeover"): the same
 * recovery pass as a node's own, with the dead node's identity, its mirror as its log, and this
 * node's recovery settings (so this node's credentials, by resource id). Every line is reported as
 * the node's own recovery reports it, prefixed with the takeover.
 */
final class PeerTakeover implements PeerRecoverer {
  private static final System.Logger LOG = System.getLogger(PeerTakeover.class.getName());

  private final String self;
  private final List<RecoveryConnector> connectors;
  private final RecoveryConfig config;
  private final Function<String, String> offeredPassword;
  private final Clock clock;
  private final Scheduler scheduler;
  private final XaWorkers xa;

  PeerTakeover(
      String self,
      List<RecoveryConnector> connectors,
      RecoveryConfig config,
      Function<String, String> offeredPassword,
      Clock clock,
      Scheduler scheduler,
      XaWorkers xa) {
    this.self = self;
    this.connectors = List.copyOf(connectors);
    this.config = config;
    this.offeredPassword = offeredPassword;
    this.clock = clock;
    this.scheduler = scheduler;
    this.xa = xa;
  }

  @Override
  public boolean recover(String nodeId, long logId, DecisionMirror mirror) {
    TakenOverLog log = new TakenOverLog(nodeId, logId, mirror);
    LogState state;
    try {
      state = log.replay();
    } catch (TxLogException e) {
      LOG.log(
          Level.WARNING,
          "takeover of node " + nodeId + " by " + self + ": its mirror cannot be read; retrying",
          e);
      return false;
    }
    RecoveryEnv env =
        new RecoveryEnv(
            TmIdentity.start(nodeId, logId, state.epoch() + 1),
            log,
            g -> false,
            g -> false,
            () -> false,
            offeredPassword,
            (x, o) -> {},
            connectors,
            config,
            clock,
            scheduler,
            xa);
    RecoveryReport report = new RecoveryEngine(env).runPass();
    LOG.log(
        report.unresolved() ? Level.WARNING : Level.INFO,
        "takeover of node "
            + nodeId
            + String.format(" (log %016x)", logId)
            + " by "
            + self
            + ": "
            + state.decided().size()
            + " mirrored decision(s); "
            + report.summary());
    return !report.unresolved();
  }
}
