package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.LogView;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxLogException;
import java.util.ArrayList;
import java.util.List;

/**
 * What recovery decides about gtrids and what it writes about them, over the log's one {@link
 * LogView view} and this process's liveness: the facts of the decision table ({@link XidDecider}),
 * who owns a decided transaction's End, and the records recovery appends (KeptInDoubt, End). Holds
 * no state of its own.
 *
 * <p>Thread-safe (the view is); used under the engine's pass lock.
 */
final class Decisions {
  private final RecoveryEnv env;
  private final LogView view;
  private final XidDecider.Facts facts;

  Decisions(RecoveryEnv env) {
    this.env = env;
    this.view = env.log().view();
    this.facts =
        new LogFacts(
            view,
            env.alive(),
            env.logFailed(),
            env.log()::openedDespiteDamage,
            env.config().legacyXids(),
            env.epoch());
  }

  TmIdentity identity() {
    return env.identity();
  }

  LogView view() {
    return view;
  }

  XidDecider.Decision decide(Gtrid g) {
    return XidDecider.decide(g, env.identity(), facts);
  }

  /** A Committing in the view (ended or not): the gtrid can only commit (I3). */
  boolean committedInLog(Gtrid g) {
    return view.decided(g).isPresent()
        || view.endedOutcome(g).filter(o -> o == Outcome.COMMITTED).isPresent();
  }

  /** A live transaction of this process: it completes itself. */
  boolean aliveHere(Gtrid g) {
    return env.identity().thisProcess(g) && env.alive().test(g);
  }

  /**
   * Decided-unfinished transactions whose End recovery writes once every branch is confirmed: all
   * of {@code state}'s, except those of this process that their owner (the coordinator while it is
   * alive, then the background retrier) is still finishing and will end itself.
   */
  List<LogState.DecidedTransaction> toFinish(LogState state) {
    List<LogState.DecidedTransaction> out = new ArrayList<>();
    for (LogState.DecidedTransaction t : state.decided().values()) {
      if (!ownedInProcess(t.gtrid())) {
        out.add(t);
      }
    }
    return out;
  }

  private boolean ownedInProcess(Gtrid g) {
    return env.identity().thisProcess(g)
        && (env.alive().test(g) || env.retrying().test(g) || env.logFailed().getAsBoolean());
  }

  /** Writes End when the view still holds {@code g} decided and no owner in process finishes it. */
  boolean endIfStillDecided(Gtrid g) {
    // Owner first, then the view: the retrier writes End before it lets go of a transaction.
    if (ownedInProcess(g) || view.decided(g).isEmpty()) {
      return false;
    }
    env.log().logEnd(g, Outcome.COMMITTED);
    return true;
  }

  void end(Gtrid g, Outcome outcome) {
    env.log().logEnd(g, outcome);
  }

  /** Logs durably that {@code g} stays in doubt; later passes and starts read it from the log. */
  void keepInDoubt(Gtrid g, String reason) throws TxLogException {
    if (view.keptInDoubt(g).isEmpty()) {
      env.log().logKeptInDoubt(g, reason);
    }
  }

  /**
   * A branch recovery finished. For a transaction of this process a background retry may own it and
   * its End: tell it the branch is done (it ignores transactions it does not own).
   */
  void resolvedElsewhere(XatmXid x, Outcome outcome) {
    if (env.identity().thisProcess(x.gtrid())) {
      env.resolvedElsewhere().accept(x, outcome);
    }
  }
}
