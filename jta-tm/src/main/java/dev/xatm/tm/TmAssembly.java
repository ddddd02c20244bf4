package dev.xatm.tm;

import dev.xatm.tm.internal.DecisionGate;
import dev.xatm.tm.internal.ResourceRegistrar;
import dev.xatm.tm.internal.TmContext;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.internal.TransactionService;
import dev.xatm.tm.internal.XaWorkers;
import dev.xatm.tm.log.MirroringTxLog;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.internal.RecoveryEngine;
import dev.xatm.tm.recovery.internal.RecoveryEnv;
import dev.xatm.tm.snapshot.LogLifecycle;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.wal.WalStats;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The TM's composition root: from a started log and the builder's collaborators it makes the
 * threads the caller did not inject, the shared {@link TmContext}, the transaction service and the
 * recovery engine, and wires them to each other. {@link XatmTransactionManager} is only the facade
 * over what this builds; it owns the result and closes it through {@link #close()} and {@link
 * #releaseThreads()}.
 *
 * <p>Built once per TM, on the starting thread.
 */
final class TmAssembly {
  /** Threads and queue length of the TM's own XA worker pool (background retries, passes). */
  private static final int XA_WORKERS = 4;

  private static final int XA_QUEUE = 10_000;

  final TmContext ctx;
  final TransactionService service;
  final RecoveryEngine recovery;
  final LogLifecycle lifecycle; // null when the log is not a WAL
  final List<RecoveryConnector> connectors;
  final RecoveryConfig recoveryConfig;
  final Clock clock;
  private final ExecutorService ownedPhase;
  private final ScheduledThreadPoolExecutor ownedScheduler;
  private final ExecutorService ownedXa;

  TmAssembly(
      XatmTransactionManager.Builder b,
      TxLog log,
      LogLifecycle lifecycle,
      TmIdentity identity,
      RecoveryConfig recoveryConfig,
      Function<String, String> offeredPassword,
      DecisionGate decisionGate) {
    XatmConfig config = b.config;
    this.connectors = b.connectors();
    this.recoveryConfig = recoveryConfig;
    this.clock = b.clock;
    ExecutorService phase = b.phaseExecutor;
    this.ownedPhase =
        phase == null
            ? Executors.newFixedThreadPool(config.parallelism(), daemon("xatm-phase"))
            : null;
    if (phase == null) {
      phase = ownedPhase;
    }
    Scheduler scheduler = b.scheduler;
    if (scheduler == null) {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(2, daemon("xatm-scheduler"));
      s.setRemoveOnCancelPolicy(true);
      this.ownedScheduler = s;
      scheduler = Scheduler.of(s);
    } else {
      this.ownedScheduler = null;
    }
    Executor xaExecutor = b.xaExecutor;
    if (xaExecutor == null) {
      // Blocking background XA work (retries, recovery passes), bounded: hung resources can take
      // at most these threads, never the scheduler's.
      ThreadPoolExecutor x =
          new ThreadPoolExecutor(
              XA_WORKERS,
              XA_WORKERS,
              60,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(XA_QUEUE),
              daemon("xatm-xa"));
      x.allowCoreThreadTimeOut(true);
      this.ownedXa = x;
      xaExecutor = x;
    } else {
      this.ownedXa = null;
    }
    this.ctx =
        new TmContext(
            // The log is the one owner of what it says: everyone reads its view.
            log,
            b.clock,
            phase,
            scheduler,
            new XaWorkers(xaExecutor, scheduler, b.xaCallTimeout),
            b.failpoints,
            new ResourceRegistrar(log),
            config.retryInitialBackoff(),
            config.retryMaxBackoff(),
            decisionGate);
    this.service =
        new TransactionService(ctx, identity, config.defaultTimeout(), config.reaperInterval());
    this.recovery =
        new RecoveryEngine(
            new RecoveryEnv(
                identity,
                ctx.log(),
                unsettledOrAlive(ctx.log(), service),
                ctx.retrier()::owns,
                () -> ctx.failStop().cause() != null,
                offeredPassword,
                ctx.retrier()::confirmedElsewhere,
                b.connectors(),
                recoveryConfig,
                b.clock,
                ctx.scheduler(),
                ctx.xa()));
    // Background retries reconnect through recovery's recipes.
    ctx.retrier().useFreshConnections(recovery::freshSession);
    this.lifecycle = lifecycle;
    if (lifecycle != null) {
      lifecycle.start(ctx.scheduler());
    }
  }

  /**
   * Stops, in order, what schedules work: the log lifetime's tick, recovery, the reaper and the
   * retries. The threads stay until {@link #releaseThreads()}.
   */
  void close() {
    if (lifecycle != null) {
      lifecycle.close();
    }
    recovery.close();
    service.close();
    ctx.retrier().close();
  }

  /** Shuts down the threads this assembly made; injected executors are the caller's. */
  void releaseThreads() {
    if (ownedPhase != null) {
      ownedPhase.shutdown();
    }
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
    if (ownedXa != null) {
      ownedXa.shutdownNow();
    }
  }

  /** What the assembled TM has done and where it stands; see {@link XatmMetrics}. */
  XatmMetrics metrics(TxLog log, long epoch) {
    RecoveryReport last = recovery.lastReport();
    long lastLsn = 0;
    long durableLsn = 0;
    int segments = 0;
    WalStats io = WalStats.EMPTY;
    TxLog own = log instanceof MirroringTxLog m ? m.local() : log;
    if (own instanceof WalTxLog w) {
      lastLsn = w.wal().lastLsn();
      durableLsn = w.wal().durableLsn();
      segments = w.wal().segments().size();
      io = w.wal().stats();
    }
    return new XatmMetrics(
        log.nodeId(),
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
        ctx.failStop().cause() != null,
        io,
        lastLsn,
        durableLsn,
        segments,
        recovery.otherLogXids(),
        recovery.foreignXids(),
        recovery
            .oldestForeignSeen()
            .map(t -> Math.max(0, Duration.between(t, ctx.clock().instant()).toSeconds()))
            .orElse(-1L),
        recovery.undecidedOnUnreachable());
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Recovery leaves a transaction alone while it is alive, or while its decision is unsettled in
   * the cluster mirror (it may be decided or not; docs/cluster.md).
   */
  private static java.util.function.Predicate<dev.xatm.tm.Gtrid> unsettledOrAlive(
      TxLog log, TransactionService service) {
    if (log instanceof MirroringTxLog m) {
      return g -> m.unsettled(g) || service.registry().isAlive(g);
    }
    return service.registry()::isAlive;
  }
}
