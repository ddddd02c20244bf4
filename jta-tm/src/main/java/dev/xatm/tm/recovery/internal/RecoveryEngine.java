package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.Scheduler;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.internal.XaClassifier;
import dev.xatm.tm.internal.XaPhase;
import dev.xatm.tm.internal.XaVerdict;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.recovery.InDoubtXid;
import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryException;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryLogState;
import dev.xatm.tm.recovery.RecoveryRefusedException;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryResult;
import dev.xatm.tm.recovery.RecoveryService;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The recovery of one transaction manager: owns what recovery learned since start (decided
 * transactions still to finish, Ends it wrote, in-doubt Xids, heuristics, backoff) and runs passes
 * and operator actions one at a time under a lock.
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

  /** Committing without End, from the log at start or an operator's commit; removed at End. */
  private final Map<Gtrid, LogState.DecidedTransaction> decided = new ConcurrentHashMap<>();

  /** Ends written by recovery in this process. */
  private final Map<Gtrid, Outcome> ended = new ConcurrentHashMap<>();

  /** resourceId -> xid -> entry. */
  private final Map<String, Map<String, InDoubtEntry>> inDoubt = new ConcurrentHashMap<>();

  /** Copy-on-write: read without the pass lock (metrics must not wait for a pass). */
  private final List<LogState.HeuristicEntry> startupHeuristics;

  private volatile RecoveryReport lastReport;

  /** The log's state read at the start of the running pass or operator action (under the lock). */
  private volatile LogState view;

  /**
   * KeptInDoubt records written since {@link #view} was read (under the lock); view has the rest.
   */
  private final Map<Gtrid, String> keptSinceView = new ConcurrentHashMap<>();

  private volatile int otherLogXids;
  private volatile boolean refuseLostRecords;
  private volatile List<RecoveryLine> lostTail = List.of();
  private volatile boolean closed;
  private Scheduler.Cancellable next; // guarded by scheduleLock

  /** An in-doubt Xid with what an operator action needs. */
  record InDoubtEntry(InDoubtXid view, XatmXid xid) {}

  public RecoveryEngine(RecoveryEnv env) {
    this.env = env;
    this.view = env.startup();
    this.targets = new Targets(env.config(), env.connectors(), env.offeredPassword());
    this.backoff = new Backoff(env.config().backoffInitial(), env.config().backoffMax());
    this.decided.putAll(env.startup().decided());
    this.startupHeuristics = new CopyOnWriteArrayList<>(env.startup().heuristics());
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

  // ---- for Pass ----

  String nodeId() {
    return env.nodeId();
  }

  long epoch() {
    return env.epoch();
  }

  TxLog log() {
    return env.log();
  }

  Backoff backoff() {
    return backoff;
  }

  TmIdentity identity() {
    return env.identity();
  }

  XidDecider.Decision decide(Gtrid g) {
    return XidDecider.decide(g, env.identity(), facts);
  }

  private final XidDecider.Facts facts =
      new XidDecider.Facts() {
        @Override
        public boolean decidedUnfinished(Gtrid g) {
          return decided.containsKey(g);
        }

        @Override
        public Optional<Outcome> ended(Gtrid g) {
          Outcome o = ended.get(g);
          return o != null ? Optional.of(o) : env.startup().endedOutcome(g);
        }

        @Override
        public boolean begun(Gtrid g) {
          return env.startup().begunOnly().containsKey(g);
        }

        @Override
        public boolean alive(Gtrid g) {
          return env.alive().test(g);
        }

        @Override
        public boolean decidedInProcess(Gtrid g) {
          return env.tracker().isDecided(g);
        }

        @Override
        public Optional<String> keptInDoubt(Gtrid g) {
          String r = view.keptInDoubt().get(g);
          return Optional.ofNullable(r != null ? r : keptSinceView.get(g));
        }

        @Override
        public boolean knownStart(long epoch, int incarnation) {
          return env.startup().started(epoch, incarnation);
        }

        @Override
        public boolean presumeAbortUnrecordedLegacy(long epoch) {
          if (env.config().legacyXids() != RecoveryConfig.LegacyXids.PRESUME_ABORT) {
            return false;
          }
          // Old-layout Xids of epochs from the first new-layout start on cannot be this log's.
          long firstNewLayout =
              env.startup().starts().keySet().stream()
                  .mapToLong(Long::longValue)
                  .min()
                  .orElse(env.epoch());
          return epoch < Math.min(firstNewLayout, env.epoch());
        }

        @Override
        public Optional<String> damageAcceptedAfter(long epoch) {
          var after = view.damageAccepted().tailMap(epoch + 1);
          return after.isEmpty() ? Optional.empty() : Optional.of(after.get(after.firstKey()));
        }

        @Override
        public boolean logDamaged() {
          return env.log().openedDespiteDamage();
        }
      };

  List<LogState.DecidedTransaction> decidedSnapshot() {
    return new ArrayList<>(decided.values());
  }

  /**
   * A branch recovery finished. For a transaction of this process (not one from the log at start),
   * a background retry may still own it and its End: tell it the branch is done.
   */
  void resolvedElsewhere(XatmXid x, Outcome outcome) {
    if (env.identity().thisProcess(x.gtrid()) && !decided.containsKey(x.gtrid())) {
      env.resolvedElsewhere().accept(x, outcome);
    }
  }

  /** Logs durably that {@code g} stays in doubt; later passes and starts read it from the log. */
  void keepInDoubt(Gtrid g, String reason) throws TxLogException {
    if (view.keptInDoubt().containsKey(g) || keptSinceView.containsKey(g)) {
      return;
    }
    env.log().logKeptInDoubt(g, reason);
    // Not view = log.current(): that copies the whole state under the append lock, per Xid,
    // stalling every append (Committing too) while thousands are kept in doubt.
    keptSinceView.put(g, reason);
  }

  void writeEnd(Gtrid g) {
    writeEnd(g, Outcome.COMMITTED);
  }

  void writeEnd(Gtrid g, Outcome outcome) {
    env.log().logEnd(g, outcome);
    ended.put(g, outcome);
    decided.remove(g);
  }

  /** Begun-only transactions of the log (Begin, no decision, no End) not ended by recovery. */
  List<LogState.BegunTransaction> begunSnapshot() {
    return view.begunOnly().values().stream().filter(b -> !ended.containsKey(b.gtrid())).toList();
  }

  InDoubtEntry entry(RecoveryLine l, XatmXid x, Instant now) {
    InDoubtEntry previous = inDoubt.getOrDefault(l.resourceId(), Map.of()).get(l.xid());
    Instant first = previous == null ? now : previous.view().firstSeen();
    return new InDoubtEntry(
        new InDoubtXid(l.xid(), l.resourceId(), l.logState(), l.result(), l.reason(), first), x);
  }

  /** Adds entries for a resource this pass could not scan, keeping what earlier scans found. */
  void addInDoubt(String resourceId, Map<String, InDoubtEntry> entries) {
    Map<String, InDoubtEntry> merged =
        new LinkedHashMap<>(inDoubt.getOrDefault(resourceId, Map.of()));
    merged.putAll(entries);
    inDoubt.put(resourceId, merged);
  }

  void replaceInDoubt(String resourceId, Map<String, InDoubtEntry> entries, Instant now) {
    if (entries.isEmpty()) {
      inDoubt.remove(resourceId);
    } else {
      inDoubt.put(resourceId, new LinkedHashMap<>(entries));
    }
  }

  // ---- passes ----

  @Override
  public RecoveryReport runPass() {
    return pass(false);
  }

  private RecoveryReport pass(boolean background) {
    lock.lock();
    env.tracker().beginObservation();
    try {
      Instant start = env.clock().instant();
      long t0 = System.nanoTime();
      Pass p = new Pass(this, background, start);
      // The log's own state: every ResourceRegistered, whoever wrote it (issue 10 §1).
      view = env.log().current();
      keptSinceView.clear();
      p.run(targets.resolve(view.resources()));
      RecoveryReport report =
          new RecoveryReport(
              env.nodeId(), start, Duration.ofNanos(System.nanoTime() - t0), p.lines);
      lastReport = report;
      otherLogXids = p.otherLogXids;
      lostTail = List.copyOf(p.lostTail);
      log(report);
      RecoveryPassEvent.emit(report, background);
      return report;
    } finally {
      env.tracker().endObservation();
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

  /** True during a strict startup pass, which refuses on evidence of lost records. */
  boolean refusesLostRecords() {
    return refuseLostRecords;
  }

  /**
   * A new session to a resource by its recipe, with the credentials recovery has for it, for the
   * background retry ({@link dev.xatm.tm.internal.FreshConnections}); empty when recovery cannot
   * reach it either (unknown, no connector, no credentials).
   */
  public Optional<RecoverySession> freshSession(String resourceId)
      throws ResourceUnavailableException {
    for (Target t : targets.resolve(env.log().current().resources())) {
      if (t.resourceId.equals(resourceId)) {
        return t.problem != null
            ? Optional.empty()
            : Optional.of(t.connector.open(t.descriptor, t.password));
      }
    }
    return Optional.empty();
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
    List<InDoubtXid> out = new ArrayList<>();
    for (Map<String, InDoubtEntry> m : inDoubt.values()) {
      m.values().forEach(e -> out.add(e.view()));
    }
    return List.copyOf(out);
  }

  @Override
  public List<LogState.HeuristicEntry> unresolvedHeuristics() {
    List<LogState.HeuristicEntry> out = new ArrayList<>(startupHeuristics);
    out.addAll(env.tracker().heuristics());
    return List.copyOf(out);
  }

  // ---- operator actions ----

  @Override
  public RecoveryLine commitInDoubt(String xidString) {
    lock.lock();
    try {
      InDoubtEntry e = find(xidString);
      Gtrid g = e.xid().gtrid();
      if (env.identity().thisProcess(g) && env.alive().test(g)) {
        throw new RecoveryRefusedException(
            xidString + " belongs to a live transaction of this process; it completes it itself");
      }
      if (!decided.containsKey(g) && !committedInLog(g)) {
        List<Branch> branches = branchesOf(g, e);
        try {
          env.log().logCommitting(g, branches);
        } catch (TxLogException ex) {
          throw new RecoveryException(
              "the commit decision for " + g + " could not be logged; nothing was sent", ex);
        }
        decided.put(g, new LogState.DecidedTransaction(g, branches, 0));
        LOG.log(Level.WARNING, "operator decided to commit " + g + " (Committing logged)");
      }
      return operatorCall(e, true, "operator commit");
    } finally {
      lock.unlock();
    }
  }

  @Override
  public RecoveryLine rollbackInDoubt(String xidString) {
    lock.lock();
    try {
      // The refusal comes first, even for a Xid that is not in doubt (I3).
      Optional<Gtrid> parsed = gtridOf(xidString);
      Gtrid g = parsed.orElseGet(() -> find(xidString).xid().gtrid());
      if (decided.containsKey(g) || committedInLog(g) || env.tracker().isDecided(g)) {
        throw new RecoveryRefusedException(
            "refusing to roll back "
                + xidString
                + ": its transaction "
                + g
                + " has a durable Committing record, so every branch must commit (I3); use"
                + " commitInDoubt");
      }
      if (env.identity().thisProcess(g) && env.alive().test(g)) {
        throw new RecoveryRefusedException(
            xidString + " belongs to a live transaction of this process; it completes it itself");
      }
      RecoveryLine line = operatorCall(find(xidString), false, "operator rollback");
      if (!line.unresolved() && env.log().current().keptInDoubt().containsKey(g)) {
        // The operator decided: rolled back. The End resolves the KeptInDoubt record, and later
        // passes roll back the gtrid's other branches (End(rolled back), docs/recovery.md).
        env.log().logEnd(g, Outcome.ROLLED_BACK);
        ended.put(g, Outcome.ROLLED_BACK);
        keptSinceView.remove(g);
      }
      return line;
    } finally {
      lock.unlock();
    }
  }

  /** The gtrid of {@code <gtrid>#branch} (Gtrid#toString) when it is this node's. */
  private Optional<Gtrid> gtridOf(String xidString) {
    int hash = xidString.lastIndexOf('#');
    if (hash < 0) {
      return Optional.empty();
    }
    return Gtrid.parse(xidString.substring(0, hash)).filter(g -> g.nodeId().equals(env.nodeId()));
  }

  private boolean committedInLog(Gtrid g) {
    return env.startup().loggedOutcome(g).isPresent() || ended.get(g) == Outcome.COMMITTED;
  }

  private List<Branch> branchesOf(Gtrid g, InDoubtEntry e) {
    LogState.BegunTransaction begun = env.startup().begunOnly().get(g);
    if (begun != null) {
      return begun.branches();
    }
    List<Branch> out = new ArrayList<>();
    for (Map<String, InDoubtEntry> m : inDoubt.values()) {
      for (InDoubtEntry other : m.values()) {
        if (other.xid().gtrid().equals(g)) {
          out.add(new Branch(other.view().resourceId(), other.xid().getBranchQualifier()));
        }
      }
    }
    if (out.isEmpty()) {
      out.add(new Branch(e.view().resourceId(), e.xid().getBranchQualifier()));
    }
    return out;
  }

  private InDoubtEntry find(String xidString) {
    for (Map<String, InDoubtEntry> m : inDoubt.values()) {
      InDoubtEntry e = m.get(xidString);
      if (e != null) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        xidString
            + " is not in doubt (in doubt now: "
            + inDoubt().stream().map(InDoubtXid::xid).toList()
            + ")");
  }

  private RecoveryLine operatorCall(InDoubtEntry e, boolean commit, String what) {
    String rid = e.view().resourceId();
    Target t =
        targets.resolve(env.log().current().resources()).stream()
            .filter(x -> x.resourceId.equals(rid))
            .findFirst()
            .orElseThrow(
                () -> new RecoveryException(rid + " is no longer known to recovery", null));
    if (t.problem != null) {
      throw new RecoveryException(what + " of " + e.xid() + " not possible: " + t.problem, null);
    }
    XatmXid x = e.xid();
    RecoveryLogState state = e.view().logState();
    RecoveryAction action = commit ? RecoveryAction.COMMIT : RecoveryAction.ROLLBACK;
    RecoveryLine line;
    try (RecoverySession s = t.connector.open(t.descriptor, t.password)) {
      var xa = s.xaResource();
      XaCall call =
          XaCall.run(
              () -> {
                if (commit) {
                  xa.commit(x, false);
                } else {
                  xa.rollback(x);
                }
              });
      if (call.ok()) {
        line =
            new RecoveryLine(
                x.toString(), rid, state, action, RecoveryResult.DONE, what + ": done");
      } else {
        XaVerdict v =
            XaClassifier.classify(commit ? XaPhase.COMMIT_RETRY : XaPhase.ROLLBACK, call.code());
        if (v.heuristic() != null) {
          try {
            env.log()
                .logHeuristic(x.gtrid(), new Branch(rid, x.getBranchQualifier()), v.heuristic());
          } catch (TxLogException ex) {
            throw new RecoveryException(
                what
                    + " of "
                    + x
                    + ": heuristic "
                    + v.heuristic()
                    + " could not be logged; not forgotten",
                ex);
          }
          if (v.forget()) {
            XaCall.run(() -> xa.forget(x));
          }
          line =
              new RecoveryLine(
                  x.toString(),
                  rid,
                  state,
                  action,
                  RecoveryResult.HEURISTIC,
                  what + ": heuristic " + v.heuristic() + " (" + call.describe() + "), logged");
        } else {
          boolean gone = true;
          try {
            for (var raw : XaCall.recover(xa)) {
              if (XatmXid.parse(raw, env.nodeId()).map(x::equals).orElse(false)) {
                gone = false;
              }
            }
          } catch (javax.transaction.xa.XAException ex) {
            gone = false;
          }
          line =
              new RecoveryLine(
                  x.toString(),
                  rid,
                  state,
                  action,
                  gone ? RecoveryResult.DONE : RecoveryResult.NOT_CONFIRMED,
                  what
                      + ": answered "
                      + call.describe()
                      + (gone ? "; confirmed: absent from a fresh recover()" : "; not confirmed"));
        }
      }
    } catch (ResourceUnavailableException ex) {
      throw new RecoveryException(what + " of " + x + ": " + ex.getMessage(), ex);
    }
    LOG.log(line.unresolved() ? Level.WARNING : Level.INFO, "recovery (operator): " + line);
    if (!line.unresolved() || line.result() == RecoveryResult.HEURISTIC) {
      Map<String, InDoubtEntry> m = inDoubt.get(rid);
      if (m != null) {
        m.remove(x.toString());
        if (m.isEmpty()) {
          inDoubt.remove(rid);
        }
      }
    }
    return line;
  }

  @Override
  public int clearHeuristic(String xidString) {
    lock.lock();
    try {
      List<LogState.HeuristicEntry> matching =
          unresolvedHeuristics().stream().filter(h -> name(h).equals(xidString)).toList();
      if (matching.isEmpty()) {
        throw new IllegalArgumentException("no unresolved heuristic for " + xidString);
      }
      Map<String, LogState.HeuristicEntry> byBranch = new HashMap<>();
      for (LogState.HeuristicEntry h : matching) {
        byBranch.putIfAbsent(h.gtrid() + "|" + h.branch(), h);
      }
      for (LogState.HeuristicEntry h : byBranch.values()) {
        try {
          env.log().logHeuristicCleared(h.gtrid(), h.branch());
        } catch (TxLogException e) {
          throw new RecoveryException(
              "clearing the heuristic of " + xidString + " could not be logged", e);
        }
        startupHeuristics.removeIf(
            s -> s.gtrid().equals(h.gtrid()) && s.branch().equals(h.branch()));
      }
      LOG.log(
          Level.WARNING,
          "recovery (operator): cleared "
              + matching.size()
              + " heuristic outcome(s) of "
              + xidString
              + ": "
              + matching);
      return matching.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public java.util.SortedMap<Long, String> acceptedDamage() {
    return env.log().current().damageAccepted();
  }

  @Override
  public int clearAcceptedDamage(long epoch) {
    lock.lock();
    try {
      int n = env.log().current().damageAccepted().headMap(epoch + 1).size();
      if (n == 0) {
        throw new IllegalArgumentException(
            "no accepted damage up to epoch " + epoch + " (accepted: " + acceptedDamage() + ")");
      }
      try {
        env.log().logDamageCleared(epoch);
      } catch (TxLogException e) {
        throw new RecoveryException("clearing the accepted damage could not be logged", e);
      }
      LOG.log(
          Level.WARNING,
          "recovery (operator): cleared " + n + " accepted damage(s) up to epoch " + epoch);
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** {@code node/epoch/seq#branch} of a heuristic entry. */
  static String name(LogState.HeuristicEntry h) {
    return XatmXid.branchOf(h.branch().bqual())
        .map(n -> new XatmXid(h.gtrid(), n).toString())
        .orElse(h.gtrid() + "?" + h.branch());
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
