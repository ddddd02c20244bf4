package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.Scheduler;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.DecisionTracker;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.internal.XaWorkers;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.spi.RecoveryConnector;
import java.time.Clock;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the recovery engine needs from its transaction manager.
 *
 * @param identity node id, log id, incarnation and epoch of this process (whose Xids are whose)
 * @param log the TM's (tracking) log: recovery appends End, Committing (operator), Heuristic and
 *     HeuristicCleared through it
 * @param startup the log state found at start
 * @param tracker what this process decided (Committing without End), registered and heuristics
 * @param alive whether a transaction of this process is alive
 * @param offeredPassword the password a pool of this process offered for a resource id, or null
 * @param resolvedElsewhere told of every branch of a transaction of this process that recovery
 *     committed or rolled back (or confirmed), so the background retrier stops retrying it
 */
public record RecoveryEnv(
    TmIdentity identity,
    TxLog log,
    LogState startup,
    DecisionTracker tracker,
    Predicate<Gtrid> alive,
    Function<String, String> offeredPassword,
    BiConsumer<XatmXid, Outcome> resolvedElsewhere,
    List<RecoveryConnector> connectors,
    RecoveryConfig config,
    Clock clock,
    Scheduler scheduler,
    XaWorkers xa) {
  public RecoveryEnv {
    connectors = List.copyOf(connectors);
  }

  public String nodeId() {
    return identity.nodeId();
  }

  public long epoch() {
    return identity.epoch();
  }
}
