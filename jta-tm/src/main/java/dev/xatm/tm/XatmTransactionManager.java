package dev.xatm.tm;

import dev.xatm.config.SettingValues;
import dev.xatm.snapshot.BackupReport;
import dev.xatm.snapshot.SnapshotException;
import dev.xatm.tm.internal.ResourceRegistrar;
import dev.xatm.tm.internal.TmContext;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.internal.TransactionService;
import dev.xatm.tm.internal.XaWorkers;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryService;
import dev.xatm.tm.recovery.internal.RecoveryEngine;
import dev.xatm.tm.recovery.internal.RecoveryEnv;
import dev.xatm.tm.snapshot.LogLifecycle;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.spi.XatmRuntime;
import dev.xatm.tm.spi.XatmRuntimes;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalLockedException;
import dev.xatm.wal.WalNodeIdMismatchException;
import dev.xatm.wal.WalSettingException;
import dev.xatm.wal.WalStats;
import dev.xatm.wal.storage.FileSystemStorage;
import dev.xatm.wal.storage.Storage;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The xatm transaction manager: one object that is the {@link TransactionManager}, the {@link
 * UserTransaction} and the {@link TransactionSynchronizationRegistry} (so Spring's {@code
 * JtaTransactionManager} finds all three in one bean), and the {@link XatmRuntime} resource
 * adapters use.
 *
 * <pre>{@code
 * try (XatmTransactionManager tm = XatmTransactionManager.start(XatmConfig.load())) {
 *   tm.begin();
 *   try (Connection c = DriverManager.getConnection("jdbc:xa:postgresql://db/bank")) {
 *     ...
 *   }
 *   tm.commit();
 * }
 * }</pre>
 *
 * <p>Starting opens the log (refusing a directory that belongs to another node id or is locked by
 * another process), rebuilds its state, writes a new epoch durably, and installs the instance as
 * the JVM default runtime unless configured not to. Closing stops the reaper and the background
 * retries (recovery finishes what they leave), closes the log and uninstalls.
 *
 * <p>Thread-safe. Transactions are associated with the calling thread.
 */
public final class XatmTransactionManager
    implements TransactionManager,
        UserTransaction,
        TransactionSynchronizationRegistry,
        XatmRuntime,
        AutoCloseable {
  private static final System.Logger LOG = System.getLogger(XatmTransactionManager.class.getName());

  /** Threads and queue length of the TM's own XA worker pool (background retries, passes). */
  private static final int XA_WORKERS = 4;

  private static final int XA_QUEUE = 10_000;

  private final XatmConfig config;
  private final TxLog log;
  private final LogState startupState;
  private final long epoch;
  private final TmContext ctx;
  private final TransactionService service;
  private final Runnable releaseExecutors;
  private final boolean installed;
  private final Map<String, String> offeredPasswords = new ConcurrentHashMap<>();
  private final RecoveryEngine recovery;
  private final MetricsBean mbean;
  private final OperationsBean operationsBean;
  private final boolean recoveryStartup;
  private final LogLifecycle lifecycle; // null when the log is not the TM's own WAL

  private XatmTransactionManager(
      Builder b, TxLog log, LogState state, TmIdentity identity, RecoveryConfig recoveryConfig) {
    long epoch = identity.epoch();
    this.config = b.config;
    this.log = log;
    this.startupState = state;
    this.epoch = epoch;
    ExecutorService ownedPhase = null;
    ScheduledExecutorService ownedScheduler = null;
    var phase = b.phaseExecutor;
    if (phase == null) {
      ownedPhase = Executors.newFixedThreadPool(config.parallelism(), daemon("xatm-phase"));
      phase = ownedPhase;
    }
    Scheduler scheduler = b.scheduler;
    if (scheduler == null) {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(2, daemon("xatm-scheduler"));
      s.setRemoveOnCancelPolicy(true);
      ownedScheduler = s;
      scheduler = Scheduler.of(s);
    }
    Executor xaExecutor = b.xaExecutor;
    ExecutorService ownedXa = null;
    if (xaExecutor == null) {
      // Blocking background XA work (retries, recovery passes), bounded: hung resources can take
      // at most these threads, never the scheduler's (issue 10).
      ThreadPoolExecutor x =
          new ThreadPoolExecutor(
              XA_WORKERS,
              XA_WORKERS,
              60,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(XA_QUEUE),
              daemon("xatm-xa"));
      x.allowCoreThreadTimeOut(true);
      ownedXa = x;
      xaExecutor = x;
    }
    ExecutorService p = ownedPhase;
    ScheduledExecutorService s = ownedScheduler;
    ExecutorService xs = ownedXa;
    this.releaseExecutors =
        () -> {
          if (p != null) {
            p.shutdown();
          }
          if (s != null) {
            s.shutdownNow();
          }
          if (xs != null) {
            xs.shutdownNow();
          }
        };
    XaWorkers xa = new XaWorkers(xaExecutor, scheduler, b.xaCallTimeout);
    this.ctx =
        new TmContext(
            // The log is the one owner of what it says: everyone reads its view (issue 10).
            log,
            b.clock,
            phase,
            scheduler,
            xa,
            b.failpoints,
            new ResourceRegistrar(log),
            config.retryInitialBackoff(),
            config.retryMaxBackoff());
    this.service =
        new TransactionService(ctx, identity, config.defaultTimeout(), config.reaperInterval());
    this.recovery =
        new RecoveryEngine(
            new RecoveryEnv(
                identity,
                ctx.log(),
                service.registry()::isAlive,
                ctx.retrier()::owns,
                () -> ctx.failStop().cause() != null,
                offeredPasswords::get,
                ctx.retrier()::confirmedElsewhere,
                b.connectors(),
                recoveryConfig,
                b.clock,
                ctx.scheduler(),
                ctx.xa()));
    // Background retries reconnect through recovery's recipes (issue 10).
    ctx.retrier().useFreshConnections(recovery::freshSession);
    this.recoveryStartup = recoveryConfig.startup();
    this.lifecycle = b.lifecycle;
    if (lifecycle != null) {
      lifecycle.start(ctx.scheduler());
    }
    boolean install = b.installAsDefault == null ? config.installAsDefault() : b.installAsDefault;
    if (install) {
      XatmRuntimes.install(this);
    }
    this.installed = install;
    this.mbean = config.jmxEnabled() ? MetricsBean.register(this) : null;
    // Operator actions only when asked for (xatm.jmx.operations; docs/operations.md).
    this.operationsBean =
        config.jmxEnabled() && config.jmxOperations()
            ? OperationsBean.register(this, b.clock)
            : null;
  }

  /** Starts a transaction manager with default collaborators (own threads, system clock). */
  public static XatmTransactionManager start(XatmConfig config) {
    return builder(config).start();
  }

  /** A builder for injecting a log, clock, executors and failpoints (tests, embedding). */
  public static Builder builder(XatmConfig config) {
    return new Builder(config);
  }

  /** The node id (configured, or adopted from the log directory). */
  public String nodeId() {
    return log.nodeId();
  }

  /** The epoch this process took at start (strictly greater than every earlier one). */
  public long epoch() {
    return epoch;
  }

  public XatmConfig config() {
    return config;
  }

  /**
   * The log state found at start, before this process wrote anything but its epoch: the input of
   * recovery (decided-but-unfinished transactions, registered resources, heuristics).
   */
  public LogState startupLogState() {
    return startupState;
  }

  /** True while a transaction of this process with this gtrid has not completed. */
  public boolean isAlive(Gtrid gtrid) {
    return service.registry().isAlive(gtrid);
  }

  /** Number of transactions with branches still being retried in the background. */
  public int pendingRetries() {
    return ctx.retrier().pendingCount();
  }

  /** The log failure that stopped this TM from accepting transactions, or {@code null}. */
  public Throwable failStopCause() {
    return ctx.failStop().cause();
  }

  /**
   * Recovery of this TM (docs/recovery.md): the last report, the in-doubt list, operator actions,
   * and a full pass on demand. {@link #start} has already run one pass (unless {@code
   * xatm.recovery.startup=false}) and background passes follow every {@code
   * xatm.recovery.interval}.
   */
  public RecoveryService recovery() {
    return recovery;
  }

  /** What this transaction manager has done and where it stands (also published over JMX). */
  public XatmMetrics metrics() {
    RecoveryReport last = recovery.lastReport();
    long lastLsn = 0;
    long durableLsn = 0;
    int segments = 0;
    WalStats io = WalStats.EMPTY;
    if (log instanceof WalTxLog w) {
      lastLsn = w.wal().lastLsn();
      durableLsn = w.wal().durableLsn();
      segments = w.wal().segments().size();
      io = w.wal().stats();
    }
    return new XatmMetrics(
        nodeId(),
        epoch,
        ctx.counters().begun(),
        ctx.counters().committed(),
        ctx.counters().rolledBack(),
        ctx.counters().heuristic(),
        service.registry().size(),
        ctx.retrier().pendingCount(),
        recovery.inDoubt().size(),
        recovery.unresolvedHeuristics().size(),
        last == null ? -1 : last.duration().toMillis(),
        last != null && last.unresolved(),
        failStopCause() != null,
        io,
        lastLsn,
        durableLsn,
        segments,
        recovery.otherLogXids(),
        recovery.foreignXids(),
        recovery
            .oldestForeignSeen()
            .map(t -> Math.max(0, java.time.Duration.between(t, ctx.clock().instant()).toSeconds()))
            .orElse(-1L),
        recovery.undecidedOnUnreachable());
  }

  /** Rolls back expired transactions now instead of at the reaper's next tick. */
  public int reapExpiredNow() {
    return service.reapExpiredNow();
  }

  // ---- TransactionManager / UserTransaction ----

  @Override
  public void begin() throws NotSupportedException, SystemException {
    if (lifecycle != null) {
      lifecycle.checkAdmission(); // xatm.log.max-size (docs/snapshots.md)
    }
    service.begin();
  }

  @Override
  public void commit()
      throws RollbackException,
          HeuristicMixedException,
          HeuristicRollbackException,
          SecurityException,
          IllegalStateException,
          SystemException {
    service.commit();
  }

  @Override
  public void rollback() throws IllegalStateException, SecurityException, SystemException {
    service.rollback();
  }

  @Override
  public void setRollbackOnly() throws IllegalStateException {
    service.setRollbackOnly();
  }

  @Override
  public int getStatus() {
    return service.getStatus();
  }

  @Override
  public Transaction getTransaction() {
    return service.getTransaction();
  }

  @Override
  public void setTransactionTimeout(int seconds) throws SystemException {
    service.setTransactionTimeout(seconds);
  }

  @Override
  public Transaction suspend() {
    return service.suspend();
  }

  @Override
  public void resume(Transaction tobj) throws InvalidTransactionException, IllegalStateException {
    service.resume(tobj);
  }

  // ---- TransactionSynchronizationRegistry ----

  @Override
  public Object getTransactionKey() {
    return service.getTransactionKey();
  }

  @Override
  public void putResource(Object key, Object value) {
    service.putResource(key, value);
  }

  @Override
  public Object getResource(Object key) {
    return service.getResource(key);
  }

  @Override
  public void registerInterposedSynchronization(Synchronization sync) {
    service.registerInterposedSynchronization(sync);
  }

  @Override
  public int getTransactionStatus() {
    return service.getStatus();
  }

  @Override
  public boolean getRollbackOnly() {
    return service.getRollbackOnly();
  }

  // ---- XatmRuntime ----

  @Override
  public TransactionManager transactionManager() {
    return this;
  }

  @Override
  public void offerCredentials(ResourceDescriptor resource, String password) {
    Objects.requireNonNull(resource, "resource");
    if (password == null) {
      offeredPasswords.remove(resource.resourceId());
    } else {
      offeredPasswords.put(resource.resourceId(), password);
    }
  }

  /**
   * Online backup of the log into {@code target} (docs/snapshots.md): the newest checkpoint and the
   * segments after it, hard-linked where possible, verified gap-free. Restore = start a TM with the
   * same node id on the copy. A second backup into the same target copies only what is new.
   *
   * @throws SnapshotException the backup failed or does not verify; the log is unaffected
   */
  public BackupReport backup(Path target) throws SnapshotException {
    if (lifecycle == null) {
      throw new SnapshotException("backup needs the TM's own WAL (not an injected log)");
    }
    return lifecycle.backup(target);
  }

  /** Checkpoints, GC, size cap and backup of this TM's log; empty with an injected log. */
  public Optional<LogLifecycle> logLifecycle() {
    return Optional.ofNullable(lifecycle);
  }

  /** For recovery (same module): the password an adapter offered for a resource id. */
  String offeredPassword(String resourceId) {
    return offeredPasswords.get(resourceId);
  }

  /**
   * Stops the background recovery passes and the background commit retries ahead of {@link
   * #close()}, for a container that closes the resources those would use before it closes this TM
   * (Spring closes the DataSources first). Waits for a recovery pass that is running; transactions
   * still begin, commit and roll back, and what a stopped retry leaves is finished by recovery at
   * the next start, as after {@link #close()}. Idempotent.
   */
  public void stopBackgroundWork() {
    recovery.close();
    ctx.retrier().close();
  }

  @Override
  public void close() throws TxLogException {
    if (lifecycle != null) {
      lifecycle.close();
    }
    recovery.close();
    service.close();
    ctx.retrier().close();
    releaseExecutors.run();
    if (installed) {
      XatmRuntimes.uninstall(this);
    }
    if (operationsBean != null) {
      operationsBean.unregister();
    }
    if (mbean != null) {
      mbean.unregister();
    }
    if (lifecycle != null) {
      lifecycle.checkpointBeforeClose(); // nothing runs any more: the next start replays nothing
    }
    log.close();
  }

  /** One full pass before start returns (unresolved items stay in doubt), then background. */
  private void startRecovery() {
    try {
      if (recoveryStartup) {
        recovery.startupPass();
      }
      if (lifecycle != null) {
        lifecycle.afterStartup(); // bounds the log under short-lived restarts (issue 14)
      }
      recovery.startBackground();
    } catch (RuntimeException e) {
      try {
        close();
      } catch (TxLogException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  public String toString() {
    return "XatmTransactionManager[node=" + nodeId() + ", epoch=" + epoch + "]";
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Builder: every collaborator is optional. Not thread-safe. */
  public static final class Builder {
    private final XatmConfig config;
    private TxLog txLog;
    private Clock clock = Clock.systemUTC();
    private ExecutorService phaseExecutor;
    private Scheduler scheduler;
    private Executor xaExecutor;
    private Duration xaCallTimeout = Duration.ofSeconds(60);
    private Failpoints failpoints = Failpoints.none();
    private Boolean installAsDefault;
    private Map<String, String> environment;
    private List<RecoveryConnector> connectors;
    private Storage logStorage = FileSystemStorage.INSTANCE;
    private LogLifecycle lifecycle;

    private Builder(XatmConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Uses this log instead of opening the WAL in {@code xatm.log.dir}; closed with the TM. */
    public Builder txLog(TxLog txLog) {
      this.txLog = txLog;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Runs phase-1/phase-2 branch calls; owned by the caller. */
    public Builder phaseExecutor(ExecutorService executor) {
      this.phaseExecutor = executor;
      return this;
    }

    /** Runs the reaper and background retries; owned by the caller. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Runs blocking background XA work (commit/rollback retries, recovery passes); owned by the
     * caller, and must be bounded. Default: a pool of 4 daemon threads of the TM's own.
     */
    public Builder xaExecutor(Executor executor) {
      this.xaExecutor = executor;
      return this;
    }

    /** How long one background XA task may run before it is reported and interrupted (60 s). */
    public Builder xaCallTimeout(Duration timeout) {
      this.xaCallTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public Builder failpoints(Failpoints failpoints) {
      this.failpoints = Objects.requireNonNull(failpoints);
      return this;
    }

    /**
     * The environment {@code xatm.recovery.resource.NAME.password-env} names are read from
     * (default: the process environment).
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /** The connectors recovery reaches resources with (default: ServiceLoader). */
    public Builder recoveryConnectors(List<RecoveryConnector> connectors) {
      this.connectors = List.copyOf(connectors);
      return this;
    }

    private List<RecoveryConnector> connectors() {
      if (connectors == null) {
        List<RecoveryConnector> found = new ArrayList<>();
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        ServiceLoader.load(RecoveryConnector.class, cl == null ? getClass().getClassLoader() : cl)
            .forEach(found::add);
        connectors = List.copyOf(found);
      }
      return connectors;
    }

    /** The file system the TM's own WAL and checkpoints use (a fault-injecting one in tests). */
    public Builder logStorage(Storage storage) {
      this.logStorage = Objects.requireNonNull(storage, "storage");
      return this;
    }

    /** Overrides {@code xatm.runtime.install-default}. */
    public Builder installAsDefault(boolean install) {
      this.installAsDefault = install;
      return this;
    }

    /**
     * Opens the log, replays it, writes the new epoch durably, and starts.
     *
     * @throws XatmStartupException the log cannot be opened or written; the message says why
     */
    public XatmTransactionManager start() {
      // Recovery settings fail before the log is touched.
      RecoveryConfig recoveryConfig =
          RecoveryConfig.parse(
              config.recovery(), environment != null ? environment : System.getenv());
      RecoveryEngine.validate(recoveryConfig, connectors());
      TxLog log = txLog != null ? txLog : openWal(config, logStorage);
      XatmTransactionManager tm;
      try {
        if (log instanceof WalTxLog w) {
          // Checkpoints, GC and the coverage check for every WAL, the injected one included.
          lifecycle = LogLifecycle.prepare(w, config, clock);
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
        LogState state = log.replay();
        long epoch = state.epoch() + 1;
        TmIdentity identity = TmIdentity.start(log.nodeId(), log.logId(), epoch);
        log.logEpoch(epoch, identity.incarnation(), clock.millis());
        if (log.openedDespiteDamage()) {
          // Before recovery: resources down during this run, or registered in the damaged part,
          // must not be presumed aborted by a later strict start once GC removed the damage.
          String lost =
              lifecycle == null ? "" : lifecycle.lostCheckpoints().map(l -> "; " + l).orElse("");
          log.logDamageAccepted(
              epoch, "the log was opened despite damage by the start of epoch " + epoch + lost);
          if (lifecycle != null) {
            lifecycle.acceptLostCheckpoints(); // only now: the damage is durable in the log
          }
        }
        LOG.log(
            Level.INFO,
            "xatm transaction manager node "
                + log.nodeId()
                + " starting epoch "
                + epoch
                + "; log: "
                + state);
        tm = new XatmTransactionManager(this, log, state, identity, recoveryConfig);
      } catch (TxLogException e) {
        closeQuietly(log);
        throw new XatmStartupException(
            LogOpenFailure.message(
                "the transaction log in " + config.logDir() + " cannot be used: " + e.getMessage(),
                config.logDir(),
                config.segmentSize(),
                e),
            e);
      } catch (RuntimeException e) {
        closeQuietly(log);
        throw e;
      }
      tm.startRecovery();
      return tm;
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

    static TxLog openWal(XatmConfig config, Storage storage) {
      WalConfig wc;
      try {
        wc =
            WalConfig.builder(config.logDir())
                .nodeId(config.nodeId())
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
}
