package dev.xatm.tm;

import dev.xatm.config.SettingValues;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.LeaseClaim;
import dev.xatm.tm.cluster.NodeLease;
import dev.xatm.tm.cluster.NodeLeaseProvider;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.MirroringTxLog;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.internal.RecoveryEngine;
import dev.xatm.tm.snapshot.LogLifecycle;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalLockedException;
import dev.xatm.wal.WalNodeIdMismatchException;
import dev.xatm.wal.WalSettingException;
import dev.xatm.wal.storage.Storage;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * The start sequence of a TM (docs/tm-protocol.md, "Start"): recovery settings are checked before
 * the log is touched; then the log is opened, its replay start chosen from the checkpoints, its
 * node id checked, its records replayed, a new epoch written durably and, after a damaged-mode
 * open, the damage recorded before any XA call. Only then are the TM's services assembled and the
 * startup recovery pass run. Any failure closes what was opened and surfaces as one {@link
 * XatmStartupException} or {@link XatmConfigException} naming the cause and the fix.
 */
final class TmStartup {
  private static final System.Logger LOG = System.getLogger(XatmTransactionManager.class.getName());

  private TmStartup() {}

  static XatmTransactionManager start(XatmTransactionManager.Builder b) {
    XatmConfig config = b.config;
    // Recovery settings fail before the log is touched.
    RecoveryConfig recoveryConfig =
        RecoveryConfig.parse(
            config.recovery(), b.environment != null ? b.environment : System.getenv());
    RecoveryEngine.validate(recoveryConfig, b.connectors());
    Optional<ClusterConfig> cluster =
        ClusterConfig.parse(
            config.cluster(), b.environment != null ? b.environment : System.getenv());
    NodeLeaseProvider leases = cluster.isPresent() ? b.leaseProvider() : null;
    boolean pooled = cluster.isPresent() && !cluster.get().nodeIds().isEmpty();
    if (pooled && config.nodeId() != null) {
      throw new XatmConfigException(
          XatmSettings.CLUSTER_NODE_IDS.key(),
          null,
          "is set together with " + XatmConfig.NODE_ID + ": set one of them");
    }
    // A new log directory with a pool: the node id comes from the lease, before the log exists.
    NodeLease lease =
        pooled && b.txLog == null && !holdsLog(config.logDir())
            ? leases.acquireFree(cluster.get(), holder(), b.clock)
            : null;
    TxLog log;
    try {
      log =
          b.txLog != null
              ? b.txLog
              : openWal(config, b.logStorage, lease != null ? lease.nodeId() : config.nodeId());
    } catch (RuntimeException e) {
      closeQuietly(lease);
      throw e;
    }
    XatmTransactionManager tm;
    try {
      LogLifecycle lifecycle = null;
      if (log instanceof WalTxLog w) {
        // Checkpoints, GC and the coverage check for every WAL, the injected one included.
        lifecycle = LogLifecycle.prepare(w, config, b.clock);
      }
      if (config.nodeId() != null && !config.nodeId().equals(log.nodeId())) {
        throw new XatmStartupException(
            XatmConfig.NODE_ID
                + " = '"
                + config.nodeId()
                + "' but the transaction log belongs to node '"
                + log.nodeId()
                + "'; use that node id or another log directory",
            null);
      }
      if (lease != null) {
        lease.bindLog(log.logId());
      } else if (cluster.isPresent()) {
        if (pooled && !cluster.get().nodeIds().contains(log.nodeId())) {
          throw new XatmStartupException(
              "the transaction log in "
                  + config.logDir()
                  + " belongs to node '"
                  + log.nodeId()
                  + "', which is not in "
                  + XatmSettings.CLUSTER_NODE_IDS.key()
                  + ": add it to the pool, or give this process another log directory",
              null);
        }
        // Before the first write: the epoch record below is this node id's, so only its holder
        // may write it (docs/cluster.md).
        lease =
            leases.acquire(
                cluster.get(), new LeaseClaim(log.nodeId(), log.logId(), holder()), b.clock);
      }
      if (lease != null) {
        log = new MirroringTxLog(log, lease.mirror(), b.failpoints);
      }
      LogState state = log.replay();
      if (log instanceof MirroringTxLog m && m.reconcile(state) > 0) {
        state = m.local().current(); // the decisions taken from the mirror are in it now
      }
      long epoch = state.epoch() + 1;
      TmIdentity identity = TmIdentity.start(log.nodeId(), log.logId(), epoch);
      log.logEpoch(epoch, identity.incarnation(), b.clock.millis());
      if (log.openedDespiteDamage()) {
        recordAcceptedDamage(log, lifecycle, epoch);
      }
      LOG.log(
          Level.INFO,
          "xatm transaction manager node "
              + log.nodeId()
              + " starting epoch "
              + epoch
              + "; log: "
              + state);
      tm = new XatmTransactionManager(b, log, state, identity, lifecycle, recoveryConfig, lease);
    } catch (TxLogException e) {
      closeQuietly(lease);
      closeQuietly(log);
      throw new XatmStartupException(
          LogOpenFailure.message(
              "the transaction log in " + config.logDir() + " cannot be used: " + e.getMessage(),
              config.logDir(),
              config.segmentSize(),
              e),
          e);
    } catch (RuntimeException e) {
      closeQuietly(lease);
      closeQuietly(log);
      throw e;
    }
    tm.startRecovery();
    return tm;
  }

  /**
   * Before recovery: resources down during this run, or registered in the damaged part, must not be
   * presumed aborted by a later strict start once GC removed the damage.
   */
  private static void recordAcceptedDamage(TxLog log, LogLifecycle lifecycle, long epoch)
      throws TxLogException {
    String lost =
        lifecycle == null ? "" : lifecycle.lostCheckpoints().map(l -> "; " + l).orElse("");
    log.logDamageAccepted(
        epoch, "the log was opened despite damage by the start of epoch " + epoch + lost);
    if (lifecycle != null) {
      lifecycle.acceptLostCheckpoints(); // only now: the damage is durable in the log
    }
  }

  /** Who this process is, for the lease table: host, pid and start time. */
  private static String holder() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown-host";
    }
    ProcessHandle self = ProcessHandle.current();
    return host
        + " pid "
        + self.pid()
        + self.info().startInstant().map(t -> " started " + t).orElse("");
  }

  private static void closeQuietly(NodeLease lease) {
    if (lease != null) {
      try {
        lease.close();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "releasing the node id's lease after a failed start failed", e);
      }
    }
  }

  private static void closeQuietly(TxLog log) {
    try {
      log.close();
    } catch (TxLogException | RuntimeException e) {
      LOG.log(Level.WARNING, "closing the log after a failed start failed", e);
    }
  }

  /**
   * The log holds a record longer than this TM's record limit (a quarter of {@code
   * xatm.log.segment-size}, at most 1 MiB) and does not record the limit it was written with (a
   * format-1 log): name the TM setting that reads it, with a unit, not the WAL's maxRecordSize.
   */
  static String settingMessage(XatmConfig config, WalSettingException e) {
    long record = e.requiredMaxRecordSize();
    if (record <= 0) {
      return "the log in "
          + config.logDir()
          + " cannot be opened with this configuration: "
          + e.getMessage();
    }
    String fix;
    if (record > WalConfig.DEFAULT_MAX_RECORD_SIZE) {
      fix =
          "No "
              + XatmConfig.LOG_SEGMENT_SIZE
              + " reads it (the TM bounds a record to "
              + SettingValues.formatSize(WalConfig.DEFAULT_MAX_RECORD_SIZE)
              + "): this log was not written by an xatm TM";
    } else {
      long unit = 4 * record >= 1L << 20 ? 1L << 20 : 1L << 10; // whole MiB, else whole KiB
      long size = Math.max(64 * 1024, (4 * record + unit - 1) / unit * unit);
      fix =
          "Fix: set "
              + XatmConfig.LOG_SEGMENT_SIZE
              + " >= "
              + SettingValues.formatSize(size)
              + ", or to the size the log was written with";
    }
    return "the log in "
        + config.logDir()
        + " holds a valid record of "
        + record
        + " bytes, longer than this TM reads with "
        + XatmConfig.LOG_SEGMENT_SIZE
        + " = "
        + SettingValues.formatSize(config.segmentSize())
        + " (a record may take a quarter of a segment, at most "
        + SettingValues.formatSize(WalConfig.DEFAULT_MAX_RECORD_SIZE)
        + "); its format-1 segments do not record the size they were written with. "
        + fix
        + "; nothing is damaged. WAL: "
        + e.getMessage();
  }

  /**
   * Opens the WAL in {@code xatm.log.dir} with the configured settings.
   *
   * @throws XatmConfigException the log settings are invalid
   * @throws XatmStartupException the directory belongs to another node, is locked, or its log
   *     cannot be opened; the message names the cause and the fix
   */
  static TxLog openWal(XatmConfig config, Storage storage) {
    return openWal(config, storage, config.nodeId());
  }

  /** Whether the log directory holds anything yet (a log, or the start of one). */
  private static boolean holdsLog(java.nio.file.Path dir) {
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
      return files.findAny().isPresent();
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    } catch (java.io.IOException e) {
      throw new XatmStartupException(
          "the log directory " + dir + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static TxLog openWal(XatmConfig config, Storage storage, String nodeId) {
    WalConfig wc;
    try {
      wc =
          WalConfig.builder(config.logDir())
              .nodeId(nodeId)
              .segmentSize(config.segmentSize())
              // TM records are small; a record may take at most a quarter of a segment.
              .maxRecordSize(
                  (int) Math.min(WalConfig.DEFAULT_MAX_RECORD_SIZE, config.segmentSize() / 4))
              .durability(config.durability())
              .openDamaged(config.logOpenDamaged())
              .storage(storage)
              .build();
    } catch (IllegalArgumentException e) {
      throw new XatmConfigException("the log settings are invalid: " + e.getMessage(), e);
    }
    try {
      return new WalTxLog(Wal.open(wc), config.logOpenDamaged());
    } catch (WalNodeIdMismatchException e) {
      throw new XatmStartupException(
          XatmConfig.NODE_ID
              + " = '"
              + config.nodeId()
              + "' does not match the node id of the log directory "
              + config.logDir()
              + ": "
              + e.getMessage()
              + ". A log directory belongs to one node for life; configure its node id or"
              + " use another directory",
          e);
    } catch (WalLockedException e) {
      throw new XatmStartupException(
          "the log directory " + config.logDir() + " is in use: " + e.getMessage(), e);
    } catch (WalSettingException e) {
      throw new XatmStartupException(settingMessage(config, e), e);
    } catch (WalException e) {
      throw new XatmStartupException(
          LogOpenFailure.message(
              "the log in " + config.logDir() + " cannot be opened: " + e.getMessage(),
              config.logDir(),
              config.segmentSize(),
              e),
          e);
    }
  }
}
