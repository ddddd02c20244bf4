package dev.xatm.tm;

import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.recovery.InDoubtXid;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.internal.OfflineOperations;
import dev.xatm.tm.recovery.internal.RecoveryEnv;
import dev.xatm.tm.snapshot.LogLifecycle;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.wal.storage.FileSystemStorage;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * An operator's hands on a stopped node (the {@code xatm indoubt commit|rollback} and {@code
 * heuristic clear} commands without {@code --pid}; docs/operations.md): opens the node's log as a
 * start would (its lock, so the application cannot start meanwhile; the newest checkpoint; the
 * replay), scans its resources read-only, and resolves exactly the Xid it is asked about with the
 * running TM's own rules: a commit logs its decision ({@code Committing}, forced) before any
 * resource hears it; a rollback of a gtrid with a Committing is refused (I3); only Xids the next
 * start would keep in doubt may be resolved. Nothing else happens: no epoch is taken, no recovery
 * pass runs, nothing is presumed aborted.
 *
 * <pre>{@code
 * try (StoppedNodeOperator op = StoppedNodeOperator.open(config, System.getenv(), connectors)) {
 *   op.inDoubt().forEach(System.out::println);
 *   RecoveryLine line = op.rollback("orders-1/3/17#1");
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one command at a time.
 */
public final class StoppedNodeOperator implements AutoCloseable {
  private final TxLog log;
  private final OfflineOperations operations;
  private final boolean damaged;
  private List<InDoubtXid> inDoubt;

  private StoppedNodeOperator(TxLog log, OfflineOperations operations, boolean damaged) {
    this.log = log;
    this.operations = operations;
    this.damaged = damaged;
  }

  /**
   * Opens the node's log and the recovery settings of {@code config}.
   *
   * @param config the node's configuration: its log directory and recovery resources
   * @param environment where {@code xatm.recovery.resource.NAME.password-env} names are read
   * @param connectors the connectors that reach the resources, usually from {@link
   *     java.util.ServiceLoader}
   * @return the operator, holding the log's lock until closed
   * @throws XatmStartupException the log is in use (the node runs: use the online mode), damaged,
   *     or cannot be opened; the message says why
   * @throws XatmConfigException a recovery setting is wrong
   */
  public static StoppedNodeOperator open(
      XatmConfig config, Map<String, String> environment, List<RecoveryConnector> connectors) {
    RecoveryConfig recovery = RecoveryConfig.parse(config.recovery(), environment);
    if (!config.cluster().isEmpty()) {
      // The mirror, not this log, is what a peer acts on: a decision logged here alone could be
      // presumed aborted by a peer that takes the node id over.
      throw new XatmStartupException(
          "the node is in cluster mode ("
              + dev.xatm.tm.cluster.ClusterConfig.URL
              + " is set): its decisions live in the cluster database too, so an offline command"
              + " on its log alone could contradict a peer's takeover. Start the node and use the"
              + " online command (--pid), or let a peer take the node id over and recover it"
              + " (docs/cluster.md)",
          null);
    }
    TxLog log = TmStartup.openWal(config, FileSystemStorage.INSTANCE);
    try {
      if (log instanceof WalTxLog w) {
        LogLifecycle.prepare(w, config, Clock.systemUTC());
      }
      LogState state = log.replay();
      TmIdentity next = TmIdentity.start(log.nodeId(), log.logId(), state.epoch() + 1);
      RecoveryEnv env =
          new RecoveryEnv(
              next,
              log,
              g -> false,
              g -> false,
              () -> false,
              id -> null,
              (x, o) -> {},
              connectors,
              recovery,
              Clock.systemUTC(),
              null,
              null);
      return new StoppedNodeOperator(log, new OfflineOperations(env), log.openedDespiteDamage());
    } catch (TxLogException | RuntimeException e) {
      try {
        log.close();
      } catch (TxLogException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new XatmStartupException(
          "the transaction log in " + config.logDir() + " cannot be replayed: " + e.getMessage(),
          e);
    }
  }

  /**
   * {@return what the next start would keep in doubt} Scans every resource once, read-only, on the
   * first call; later calls return that list.
   */
  public List<InDoubtXid> inDoubt() {
    if (inDoubt == null) {
      inDoubt = operations.scan(damaged);
    }
    return inDoubt;
  }

  /**
   * As {@link dev.xatm.tm.recovery.RecoveryService#commitInDoubt}, on this stopped node.
   *
   * @param xid an Xid of {@link #inDoubt()}, as it prints
   * @return the line describing what happened
   */
  public RecoveryLine commit(String xid) {
    inDoubt();
    return operations.commit(xid);
  }

  /**
   * As {@link dev.xatm.tm.recovery.RecoveryService#rollbackInDoubt}, on this stopped node.
   *
   * @param xid an Xid of {@link #inDoubt()}, as it prints
   * @return the line describing what happened
   */
  public RecoveryLine rollback(String xid) {
    inDoubt();
    return operations.rollback(xid);
  }

  /**
   * The operator's override for a prepared Xid that is not this node's ({@code xatm foreign
   * commit|rollback XID --force}): exactly that Xid, at its resource, nothing logged. For a branch
   * whose owner is known to be gone for good; recovery never does this by itself.
   *
   * @param xid the foreign Xid, as {@code xatm foreign list} prints it
   * @param commit true to commit it, false to roll it back
   * @return the line describing what happened, and whether a fresh {@code recover()} confirms it
   * @throws IllegalArgumentException no foreign prepared Xid of that name
   * @throws dev.xatm.tm.recovery.RecoveryException its resource cannot be reached
   */
  public RecoveryLine resolveForeign(String xid, boolean commit) {
    return operations.resolveForeign(xid, commit, damaged);
  }

  /**
   * As {@link dev.xatm.tm.recovery.RecoveryService#clearHeuristic}, on this stopped node.
   *
   * @param xid the branch, {@code node/epoch/sequence#branch}
   * @return how many entries were cleared
   */
  public int clearHeuristic(String xid) {
    return operations.clearHeuristic(xid);
  }

  /** {@return the heuristic outcomes in the log not cleared yet} */
  public List<LogState.HeuristicEntry> heuristics() {
    return operations.heuristics();
  }

  /** Closes the log (what was written is durable: every operator record is forced). */
  @Override
  public void close() {
    try {
      log.close();
    } catch (TxLogException e) {
      throw new XatmStartupException("closing the transaction log failed: " + e.getMessage(), e);
    }
  }
}
