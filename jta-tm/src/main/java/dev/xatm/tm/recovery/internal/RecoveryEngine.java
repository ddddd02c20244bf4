package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Scheduler;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.LogView;
import dev.xatm.tm.recovery.InDoubtXid;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryService;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The recovery of one transaction manager: runs passes ({@link Pass}) and operator actions ({@link
 * OperatorActions}) one at a time under a lock, and owns only what no log record says: the in-doubt
 * Xids its scans found ({@link InDoubtTable}) and the backoff per resource. Everything about the
 * log (decided and ended transactions, Begins, KeptInDoubt, heuristics, accepted damage, resources,
 * process starts) is read from the log's one {@link dev.xatm.tm.log.LogView view}, which every
 * writer (coordinator, retrier, registrar, recovery, operator) updates by appending (issue 10 §1).
 *
 * <p>Threading: every public method may be called from any thread; passes (startup, background,
 * {@link #runPass()}) and operator actions are serialized by one {@link ReentrantLock}. A
 * background pass runs on the TM's scheduler and schedules the next one when it ends.
 */
public final class RecoveryEngine implements RecoveryService {
  private static final System.Logger LOG = System.getLogger(RecoveryEngine.class.getName());

  private final RecoveryEnv env;
  private final Targets targets;
  private final Backoff backoff;
  private final ReentrantLock lock = new ReentrantLock();

  /** Guards {@link #next} only, never held across a pass. */
  private final ReentrantLock scheduleLock = new ReentrantLock();

  private final InDoubtTable inDoubt = new InDoubtTable();
  private final ForeignXids foreign = new ForeignXids();
  private volatile int undecidedUnreachable;
  private final Decisions decisions;
  private final OperatorActions operator;

  private volatile RecoveryReport lastReport;

  private volatile int otherLogXids;
  private volatile boolean refuseLostRecords;
  private volatile List<RecoveryLine> lostTail = List.of();
  private volatile boolean closed;
  private Scheduler.Cancellable next; // guarded by scheduleLock

  public RecoveryEngine(RecoveryEnv env) {
    this.env = env;
    this.targets = new Targets(env.config(), env.connectors(), env.offeredPassword());
    this.backoff = new Backoff(env.config().backoffInitial(), env.config().backoffMax());
    this.decisions = new Decisions(env);
    this.operator = new OperatorActions(env, decisions, inDoubt, targets);
  }

  /**
   * Fails for a configured URL no connector accepts or can describe.
   *
   * @throws dev.xatm.tm.XatmConfigException naming the key
   */
  public static void validate(
      dev.xatm.tm.recovery.RecoveryConfig config, List<dev.xatm.tm.spi.RecoveryConnector> c) {
    new Targets(config, c, id -> null).validate();
  }

  // ---- passes ----

  @Override
  public RecoveryReport runPass() {
    return pass(false);
  }

  private RecoveryReport pass(boolean background) {
    lock.lock();
    // Ends written between a resource's scan and the decisions on its Xids stay visible.
    try (LogView.Observation observing = decisions.view().observe()) {
      Instant start = env.clock().instant();
      long t0 = System.nanoTime();
      Pass p =
          new Pass(
              new Pass.Context(
                  env.identity(),
                  env.log(),
                  backoff,
                  inDoubt,
                  foreign,
                  decisions,
                  refuseLostRecords),
              background,
              start);
      // The log's own resources: every ResourceRegistered, whoever wrote it (issue 10 §1).
      p.run(targets.resolve(decisions.view().resources()));
      RecoveryReport report =
          new RecoveryReport(
              env.nodeId(), start, Duration.ofNanos(System.nanoTime() - t0), p.lines);
      lastReport = report;
      otherLogXids = p.otherLogXids;
      undecidedUnreachable = p.undecidedUnreachable;
      lostTail = List.copyOf(p.lostTail);
      log(report);
      RecoveryPassEvent.emit(report, background);
      return report;
    } finally {
      lock.unlock();
    }
  }

  private static void log(RecoveryReport report) {
    for (RecoveryLine l : report.lines()) {
      LOG.log(l.unresolved() ? Level.WARNING : Level.INFO, "recovery: " + l);
    }
    LOG.log(report.unresolved() ? Level.WARNING : Level.INFO, report.summary());
  }

  /**
   * The pass before the TM accepts transactions. Refuses (strict mode) when a resource holds a
   * prepared Xid of this log that proves the log lost records: presuming anything about the other
   * transactions of that lost stretch could roll back a decided one.
   *
   * @throws dev.xatm.tm.XatmStartupException naming the Xids and the fix
   */
  public RecoveryReport startupPass() {
    // A strict start refuses on evidence of lost records: it does not also log them as kept in
    // doubt, so every strict start refuses until the operator acts (damaged mode, or a restore).
    // The pass lists every resource and decides every Xid before any XA call (Pass#run): an Xid
    // proving lost records makes every presumed abort of the same start unsound (I3).
    boolean strict = !env.log().openedDespiteDamage();
    refuseLostRecords = strict;
    RecoveryReport r;
    try {
      r = runPass();
    } finally {
      refuseLostRecords = false;
    }
    if (strict) {
      refuseOnLostRecords(lostTail);
    }
    return r;
  }

  private void refuseOnLostRecords(List<RecoveryLine> evidence) {
    if (!evidence.isEmpty()) {
      throw new dev.xatm.tm.XatmStartupException(
          "the transaction log of node "
              + env.nodeId()
              + " lost records: "
              + evidence.size()
              + " prepared Xid(s) of this log lie beyond everything it contains ("
              + evidence.stream().limit(5).map(RecoveryLine::xid).toList()
              + (evidence.size() > 5 ? " ..." : "")
              + ": "
              + evidence.get(0).reason()
              + "). Restore the lost segments from a backup, or start in damaged mode"
              + " (xatm.log.open-damaged=true): recovery then keeps them in doubt, durably, for an"
              + " operator",
          null);
    }
  }

  /**
   * A new session to a resource by its recipe, with the credentials recovery has for it, for the
   * background retry ({@link dev.xatm.tm.internal.FreshConnections}); empty when recovery cannot
   * reach it either (unknown, no connector, no credentials).
   */
  public Optional<RecoverySession> freshSession(String resourceId)
      throws ResourceUnavailableException {
    Optional<Target> t = targets.find(decisions.view().resources(), resourceId);
    return t.isEmpty() || t.get().problem != null
        ? Optional.empty()
        : Optional.of(t.get().connector.open(t.get().descriptor, t.get().password));
  }

  /** Prepared Xids of other nodes or transaction managers the scans found (never touched). */
  public int foreignXids() {
    return foreign.count();
  }

  /** When the oldest of {@link #foreignXids()} was first seen. */
  public Optional<Instant> oldestForeignSeen() {
    return foreign.oldest();
  }

  /** Branches of undecided transactions on resources the last pass could not reach. */
  public int undecidedOnUnreachable() {
    return undecidedUnreachable;
  }

  /** Xids with this node id but another log's identity seen by the last pass (metric). */
  public int otherLogXids() {
    return otherLogXids;
  }

  /** Starts background passes on the scheduler (none when the interval is zero). */
  public void startBackground() {
    scheduleNext();
  }

  private void scheduleNext() {
    Duration interval = env.config().interval();
    if (closed || interval.isZero()) {
      return;
    }
    Duration delay = interval;
    Optional<Instant> due = backoff.earliestDue();
    if (due.isPresent()) {
      Duration untilDue = Duration.between(env.clock().instant(), due.get());
      if (untilDue.compareTo(delay) < 0) {
        delay = untilDue.isNegative() ? Duration.ZERO : untilDue;
      }
    }
    scheduleLock.lock();
    try {
      // Only handed to the XA workers here: a hung resource must not hold the scheduler.
      next =
          env.scheduler()
              .schedule(
                  () -> {
                    if (!closed
                        && !env.xa().submit("background recovery pass", this::backgroundPass)) {
                      scheduleNext();
                    }
                  },
                  delay);
    } finally {
      scheduleLock.unlock();
    }
  }

  private void backgroundPass() {
    if (closed) {
      return;
    }
    if (!lock.tryLock()) {
      // A pass or operator action is still running (maybe on a hung resource): skip this one
      // rather than park another worker behind the lock.
      LOG.log(Level.WARNING, "recovery pass skipped: the previous pass is still running");
      scheduleNext();
      return;
    }
    try {
      pass(true);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "recovery pass failed; the next pass repeats it", e);
    } finally {
      lock.unlock();
      scheduleNext();
    }
  }

  /**
   * Stops background passes; waits for a running pass or operator action to end, at most the XA
   * call timeout (a pass hung on a resource is abandoned: the next start repeats it).
   */
  public void close() {
    closed = true;
    scheduleLock.lock();
    try {
      if (next != null) {
        next.cancel();
      }
    } finally {
      scheduleLock.unlock();
    }
    boolean idle = false;
    try {
      idle = lock.tryLock(env.xa().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (idle) {
      lock.unlock();
    } else {
      LOG.log(Level.WARNING, "closing while a recovery pass is still running; it is abandoned");
    }
  }

  @Override
  public RecoveryReport lastReport() {
    return lastReport;
  }

  @Override
  public List<InDoubtXid> inDoubt() {
    return inDoubt.list();
  }

  @Override
  public List<LogState.HeuristicEntry> unresolvedHeuristics() {
    return decisions.view().heuristics();
  }

  // ---- operator actions (OperatorActions, under the pass lock) ----

  @Override
  public RecoveryLine commitInDoubt(String xidString) {
    return underLock(() -> operator.commit(xidString));
  }

  @Override
  public RecoveryLine rollbackInDoubt(String xidString) {
    return underLock(() -> operator.rollback(xidString));
  }

  @Override
  public int clearHeuristic(String xidString) {
    return underLock(() -> operator.clearHeuristic(xidString));
  }

  @Override
  public java.util.SortedMap<Long, String> acceptedDamage() {
    return decisions.view().damageAccepted();
  }

  @Override
  public int clearAcceptedDamage(long epoch) {
    return underLock(() -> operator.clearAcceptedDamage(epoch));
  }

  private <T> T underLock(java.util.function.Supplier<T> action) {
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "RecoveryEngine[node="
        + env.nodeId()
        + ", epoch="
        + env.epoch()
        + ", config="
        + env.config()
        + "]";
  }
}
