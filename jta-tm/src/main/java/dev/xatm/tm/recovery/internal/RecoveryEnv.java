package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.Scheduler;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.internal.XaWorkers;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.spi.RecoveryConnector;
import java.time.Clock;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the recovery engine needs from its transaction manager.
 *
 * @param identity node id, log id, incarnation and epoch of this process (whose Xids are whose)
 * @param log the TM's log: recovery appends End, Committing (operator), Heuristic and
 *     HeuristicCleared through it, and reads everything it knows about the log from its {@link
 *     TxLog#view() view}
 * @param alive whether a transaction of this process is alive
 * @param retrying whether the background retrier owns a decided transaction of this process (it
 *     writes its End)
 * @param logFailed whether this process's log failed (fail-stop)
 * @param offeredPassword the password a pool of this process offered for a resource id, or null
 * @param resolvedElsewhere told of every branch of a transaction of this process that recovery
 *     committed or rolled back (or confirmed), so the background retrier stops retrying it
 */
public record RecoveryEnv(
    TmIdentity identity,
    TxLog log,
    Predicate<Gtrid> alive,
    Predicate<Gtrid> retrying,
    BooleanSupplier logFailed,
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
