package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.HeuristicOutcome;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The TM log as the rest of the TM uses it: every call goes to the real log, and decisions, Ends
 * and heuristics are also reported to a {@link DecisionTracker} so periodic recovery never mistakes
 * a transaction this process decided for an undecided one (I3). Thread-safe like the log it wraps.
 */
public final class TrackingTxLog implements TxLog {
  private final TxLog log;
  private final DecisionTracker tracker;

  public TrackingTxLog(TxLog log, DecisionTracker tracker) {
    this.log = Objects.requireNonNull(log, "log");
    this.tracker = Objects.requireNonNull(tracker, "tracker");
  }

  @Override
  public String nodeId() {
    return log.nodeId();
  }

  @Override
  public long logId() {
    return log.logId();
  }

  @Override
  public LogState current() {
    return log.current();
  }

  @Override
  public LogState replay() throws TxLogException {
    return log.replay();
  }

  @Override
  public void logEpoch(long epoch, int incarnation, long startedAtMillis) throws TxLogException {
    log.logEpoch(epoch, incarnation, startedAtMillis);
  }

  @Override
  public void logResourceRegistered(ResourceDescriptor descriptor) throws TxLogException {
    log.logResourceRegistered(descriptor);
  }

  @Override
  public CompletableFuture<?> logBegin(Gtrid gtrid, List<Branch> branches, long deadlineMillis) {
    return log.logBegin(gtrid, branches, deadlineMillis);
  }

  /** Tracked BEFORE the write: from the moment the record may be durable, it counts as decided. */
  @Override
  public void logCommitting(Gtrid gtrid, List<Branch> branches) throws TxLogException {
    tracker.committing(gtrid);
    try {
      log.logCommitting(gtrid, branches);
    } catch (TxLogException | RuntimeException e) {
      tracker.committingFailed(gtrid);
      throw e;
    }
  }

  @Override
  public void logHeuristic(Gtrid gtrid, Branch branch, HeuristicOutcome outcome)
      throws TxLogException {
    log.logHeuristic(gtrid, branch, outcome);
    tracker.heuristicLogged(gtrid, branch, outcome);
    HeuristicEvent.emit(gtrid, branch, outcome); // every heuristic of this process passes here
  }

  @Override
  public void logHeuristicCleared(Gtrid gtrid, Branch branch) throws TxLogException {
    log.logHeuristicCleared(gtrid, branch);
    tracker.heuristicCleared(gtrid, branch);
  }

  @Override
  public void logKeptInDoubt(Gtrid gtrid, String reason) throws TxLogException {
    log.logKeptInDoubt(gtrid, reason);
  }

  @Override
  public void logDamageAccepted(long epoch, String what) throws TxLogException {
    log.logDamageAccepted(epoch, what);
  }

  @Override
  public void logDamageCleared(long epoch) throws TxLogException {
    log.logDamageCleared(epoch);
  }

  @Override
  public boolean openedDespiteDamage() {
    return log.openedDespiteDamage();
  }

  @Override
  public CompletableFuture<?> logEnd(Gtrid gtrid, Outcome outcome) {
    tracker.ended(gtrid, outcome == Outcome.COMMITTED);
    return log.logEnd(gtrid, outcome);
  }

  @Override
  public void close() throws TxLogException {
    log.close();
  }
}
