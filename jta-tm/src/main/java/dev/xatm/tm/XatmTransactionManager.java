package dev.xatm.tm;

import dev.xatm.snapshot.BackupReport;
import dev.xatm.snapshot.SnapshotException;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.NodeLease;
import dev.xatm.tm.cluster.NodeLeaseProvider;
import dev.xatm.tm.internal.TmContext;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.internal.TransactionService;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryService;
import dev.xatm.tm.recovery.internal.RecoveryEngine;
import dev.xatm.tm.snapshot.LogLifecycle;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.spi.XatmRuntime;
import dev.xatm.tm.spi.XatmRuntimes;
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

  private final XatmConfig config;
  private final TxLog log;
  private final LogState startupState;
  private final long epoch;
  private final TmAssembly parts;
  private final TmContext ctx;
  private final TransactionService service;
  private final RecoveryEngine recovery;
  private final LogLifecycle lifecycle; // null when the log is not a WAL
  private final boolean installed;
  private final Map<String, String> offeredPasswords = new ConcurrentHashMap<>();
  private final MetricsBean mbean;
  private final OperationsBean operationsBean;
  private final boolean recoveryStartup;
  private final ClusterMembership cluster;

  /** Called by {@link TmStartup} once the log is replayed and the new epoch is durable. */
  XatmTransactionManager(
      Builder b,
      TxLog log,
      LogState state,
      TmIdentity identity,
      LogLifecycle lifecycle,
      RecoveryConfig recoveryConfig,
      NodeLease lease) {
    this.config = b.config;
    this.cluster = ClusterMembership.of(lease);
    this.log = log;
    this.startupState = state;
    this.epoch = identity.epoch();
    this.parts =
        new TmAssembly(
            b, log, lifecycle, identity, recoveryConfig, offeredPasswords::get, cluster.gate());
    cluster.stopOnLoss(parts.ctx.failStop());
    this.ctx = parts.ctx;
    this.service = parts.service;
    this.recovery = parts.recovery;
    this.lifecycle = parts.lifecycle;
    this.recoveryStartup = recoveryConfig.startup();
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

  /**
   * Starts a transaction manager with default collaborators (own threads, system clock).
   *
   * @param config the configuration, e.g. {@link XatmConfig#load()}
   * @return the started manager, its startup recovery pass done
   * @throws XatmStartupException the log cannot be opened or written; the message names the cause
   *     and the fix
   * @throws XatmConfigException a setting is invalid
   */
  public static XatmTransactionManager start(XatmConfig config) {
    return builder(config).start();
  }

  /**
   * A builder for injecting a log, clock, executors and failpoints (tests, embedding).
   *
   * @param config the configuration
   * @return a builder whose every collaborator is optional
   */
  public static Builder builder(XatmConfig config) {
    return new Builder(config);
  }

  /**
   * The node id (configured, or adopted from the log directory).
   *
   * @return the node id of this manager's log
   */
  public String nodeId() {
    return log.nodeId();
  }

  /**
   * The epoch this process took at start (strictly greater than every earlier one).
   *
   * @return this process's epoch
   */
  public long epoch() {
    return epoch;
  }

  /** {@return the configuration this manager was started with} */
  public XatmConfig config() {
    return config;
  }

  /**
   * The log state found at start, before this process wrote anything but its epoch: the input of
   * recovery (decided-but-unfinished transactions, registered resources, heuristics).
   *
   * @return the replayed state, as it was before recovery ran
   */
  public LogState startupLogState() {
    return startupState;
  }

  /**
   * True while a transaction of this process with this gtrid has not completed.
   *
   * @param gtrid a global transaction id of this node
   * @return whether this process still runs it
   */
  public boolean isAlive(Gtrid gtrid) {
    return service.registry().isAlive(gtrid);
  }

  /**
   * Number of transactions with branches still being retried in the background.
   *
   * @return the count; 0 when every decided branch is confirmed
   */
  public int pendingRetries() {
    return ctx.retrier().pendingCount();
  }

  /**
   * The log failure that stopped this TM from accepting transactions, or {@code null}.
   *
   * @return the cause, or {@code null} while the TM accepts transactions
   */
  public Throwable failStopCause() {
    return ctx.failStop().cause();
  }

  /**
   * Recovery of this TM (docs/recovery.md): the last report, the in-doubt list, operator actions,
   * and a full pass on demand. {@link #start} has already run one pass (unless {@code
   * xatm.recovery.startup=false}) and background passes follow every {@code
   * xatm.recovery.interval}.
   *
   * @return this manager's recovery
   */
  public RecoveryService recovery() {
    return recovery;
  }

  /**
   * What this transaction manager has done and where it stands (also published over JMX).
   *
   * @return a snapshot of the counters, gauges and log statistics
   */
  public XatmMetrics metrics() {
    return parts.metrics(log, epoch);
  }

  /**
   * Rolls back expired transactions now instead of at the reaper's next tick.
   *
   * @return how many expired transactions were rolled back
   */
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
   * @param target the backup directory (created if absent; an earlier backup there is updated)
   * @return what was copied and verified
   */
  public BackupReport backup(Path target) throws SnapshotException {
    if (lifecycle == null) {
      throw new SnapshotException("backup needs the TM's own WAL (not an injected log)");
    }
    return lifecycle.backup(target);
  }

  /**
   * Checkpoints, GC, size cap and backup of this TM's log; empty with an injected log.
   *
   * @return the log lifetime, or empty with an injected non-WAL log
   */
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
    parts.close();
    parts.releaseThreads();
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
    boolean unfinished = cluster.leavesWorkForAPeer(log);
    try {
      log.close();
    } finally {
      cluster.close(unfinished);
    }
  }

  /** One full pass before start returns (unresolved items stay in doubt), then background. */
  void startRecovery() {
    try {
      if (recoveryStartup) {
        recovery.startupPass();
      }
      if (lifecycle != null) {
        lifecycle.afterStartup(); // bounds the log under short-lived restarts (issue 14)
      }
      recovery.startBackground();
      if (cluster.active()) {
        cluster.recoverPeers(
            new PeerTakeover(
                nodeId(),
                parts.connectors,
                parts.recoveryConfig,
                offeredPasswords::get,
                parts.clock,
                ctx.scheduler(),
                ctx.xa()));
      }
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

  /** Builder: every collaborator is optional. Not thread-safe. */
  public static final class Builder {
    final XatmConfig config;
    TxLog txLog;
    Clock clock = Clock.systemUTC();
    ExecutorService phaseExecutor;
    Scheduler scheduler;
    Executor xaExecutor;
    Duration xaCallTimeout = Duration.ofSeconds(60);
    Failpoints failpoints = Failpoints.none();
    Boolean installAsDefault;
    Map<String, String> environment;
    List<RecoveryConnector> connectors;
    Storage logStorage = FileSystemStorage.INSTANCE;
    NodeLeaseProvider leaseProvider;

    private Builder(XatmConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Uses this log instead of opening the WAL in {@code xatm.log.dir}; closed with the TM.
     *
     * @param txLog the log; it must belong to the configured node id
     * @return this builder
     */
    public Builder txLog(TxLog txLog) {
      this.txLog = txLog;
      return this;
    }

    /**
     * The clock for deadlines, log timestamps and backoffs (default: the system UTC clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /**
     * Runs phase-1/phase-2 branch calls; owned by the caller.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder phaseExecutor(ExecutorService executor) {
      this.phaseExecutor = executor;
      return this;
    }

    /**
     * Runs the reaper and background retries; owned by the caller.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Runs blocking background XA work (commit/rollback retries, recovery passes); owned by the
     * caller, and must be bounded. Default: a pool of 4 daemon threads of the TM's own.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder xaExecutor(Executor executor) {
      this.xaExecutor = executor;
      return this;
    }

    /**
     * How long one background XA task may run before it is reported and interrupted (60 s).
     *
     * @param timeout the limit per task
     * @return this builder
     */
    public Builder xaCallTimeout(Duration timeout) {
      this.xaCallTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Failpoints hit on the commit path (crash tests); default: none.
     *
     * @param failpoints the failpoints
     * @return this builder
     */
    public Builder failpoints(Failpoints failpoints) {
      this.failpoints = Objects.requireNonNull(failpoints);
      return this;
    }

    /**
     * The environment {@code xatm.recovery.resource.NAME.password-env} names are read from
     * (default: the process environment).
     *
     * @param environment variable name to value
     * @return this builder
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /**
     * The connectors recovery reaches resources with (default: ServiceLoader).
     *
     * @param connectors the connectors, in the order they are asked
     * @return this builder
     */
    public Builder recoveryConnectors(List<RecoveryConnector> connectors) {
      this.connectors = List.copyOf(connectors);
      return this;
    }

    List<RecoveryConnector> connectors() {
      if (connectors == null) {
        List<RecoveryConnector> found = new ArrayList<>();
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        ServiceLoader.load(RecoveryConnector.class, cl == null ? getClass().getClassLoader() : cl)
            .forEach(found::add);
        connectors = List.copyOf(found);
      }
      return connectors;
    }

    /**
     * The file system the TM's own WAL and checkpoints use (a fault-injecting one in tests).
     *
     * @param storage the storage
     * @return this builder
     */
    public Builder logStorage(Storage storage) {
      this.logStorage = Objects.requireNonNull(storage, "storage");
      return this;
    }

    /**
     * Where node-id leases come from when {@code xatm.cluster.url} is set (default: the {@code
     * xatm-cluster} module, found through ServiceLoader).
     *
     * @param provider the provider
     * @return this builder
     */
    public Builder leaseProvider(NodeLeaseProvider provider) {
      this.leaseProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    NodeLeaseProvider leaseProvider() {
      if (leaseProvider == null) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        leaseProvider =
            ServiceLoader.load(
                    NodeLeaseProvider.class, cl == null ? getClass().getClassLoader() : cl)
                .findFirst()
                .orElseThrow(
                    () ->
                        new XatmStartupException(
                            ClusterConfig.URL
                                + " is set but no lease provider is on the class path: add the"
                                + " dev.xatm:xatm-cluster dependency, or remove the setting",
                            null));
      }
      return leaseProvider;
    }

    /**
     * Overrides {@code xatm.runtime.install-default}.
     *
     * @param install whether {@link #start()} installs the manager as the JVM default runtime
     * @return this builder
     */
    public Builder installAsDefault(boolean install) {
      this.installAsDefault = install;
      return this;
    }

    /**
     * Opens the log, replays it, writes the new epoch durably, and starts.
     *
     * @throws XatmStartupException the log cannot be opened or written; the message says why
     * @return the started manager
     */
    public XatmTransactionManager start() {
      return TmStartup.start(this);
    }
  }
}
