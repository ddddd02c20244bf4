package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.Scheduler;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Outcome;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.transaction.xa.XAResource;

/**
 * Retries, in the background, the commits (after a durable Committing) and rollbacks that a
 * resource did not confirm, with exponential backoff, until every branch is confirmed; then writes
 * End (when the transaction has a Begin in the log). A crash loses nothing: the log still says
 * Committing without End, and recovery finishes the work.
 *
 * <p>Threading: each pending transaction is handled by one scheduled task at a time; {@link
 * #schedule} may be called from any thread.
 */
public final class BranchRetrier {
  private static final System.Logger LOG = System.getLogger(BranchRetrier.class.getName());

  private final TmContext ctx;
  private final Duration initial;
  private final Duration max;
  private final Map<Gtrid, Pending> pending = new ConcurrentHashMap<>();
  private volatile boolean closed;

  BranchRetrier(TmContext ctx, Duration initial, Duration max) {
    this.ctx = ctx;
    this.initial = initial;
    this.max = max;
  }

  private final class Pending {
    final Gtrid gtrid;
    final Outcome outcome;
    final boolean writeEnd;
    final List<TxBranch> remaining;

    /** Branches recovery finished through its own connection (any thread adds). */
    final Set<XatmXid> confirmedElsewhere = ConcurrentHashMap.newKeySet();

    int attempts;
    Scheduler.Cancellable next;

    Pending(Gtrid gtrid, List<TxBranch> branches, Outcome outcome, boolean writeEnd) {
      this.gtrid = gtrid;
      this.outcome = outcome;
      this.writeEnd = writeEnd;
      this.remaining = new ArrayList<>(branches);
    }
  }

  void schedule(Gtrid gtrid, List<TxBranch> branches, Outcome outcome, boolean writeEnd) {
    Pending p = new Pending(gtrid, branches, outcome, writeEnd);
    pending.put(gtrid, p);
    scheduleNext(p);
  }

  /**
   * Recovery finished this branch with {@code outcome} through a connection of its own, for example
   * because the connection the transaction used has died. The next attempt drops it instead of
   * calling the dead resource again, and writes End once nothing is left.
   */
  public void confirmedElsewhere(XatmXid xid, Outcome outcome) {
    Pending p = pending.get(xid.gtrid());
    if (p != null && p.outcome == outcome) {
      p.confirmedElsewhere.add(xid);
    }
  }

  /** Transactions with unconfirmed branches. */
  public int pendingCount() {
    return pending.size();
  }

  /** Stops retrying; what is left is finished by recovery from the log. */
  public void close() {
    closed = true;
    for (Pending p : pending.values()) {
      Scheduler.Cancellable c = p.next;
      if (c != null) {
        c.cancel();
      }
    }
    if (!pending.isEmpty()) {
      LOG.log(
          Level.WARNING,
          pending.size()
              + " transaction(s) still have unconfirmed branches; recovery will"
              + " finish them: "
              + pending.keySet());
    }
  }

  private void scheduleNext(Pending p) {
    if (closed) {
      return;
    }
    long factor = 1L << Math.min(p.attempts, 20);
    Duration delay = initial.multipliedBy(factor);
    if (delay.compareTo(max) > 0) {
      delay = max;
    }
    // The scheduler only hands the attempt to the XA workers: a resource that hangs must not
    // hold the thread the timeout reaper and the checkpointer run on.
    p.next =
        ctx.scheduler()
            .schedule(
                () -> {
                  if (!closed
                      && !ctx.xa().submit("background retry of " + p.gtrid, () -> attempt(p))) {
                    p.attempts++;
                    scheduleNext(p);
                  }
                },
                delay);
  }

  private void attempt(Pending p) {
    if (closed) {
      return;
    }
    p.attempts++;
    boolean commit = p.outcome == Outcome.COMMITTED;
    List<TxBranch> still = new ArrayList<>();
    for (TxBranch b : p.remaining) {
      XaPhase phase = commit ? XaPhase.COMMIT_RETRY : b.rollbackPhase();
      if (p.confirmedElsewhere.contains(b.xid)) {
        b.fate = commit ? BranchFate.COMMITTED : BranchFate.ROLLED_BACK;
        LOG.log(
            Level.INFO,
            b.describe()
                + ": "
                + (commit ? "committed" : "rolled back")
                + " by recovery (retry "
                + p.attempts
                + ")");
        continue;
      }
      BranchResult r =
          Coordinator.call(
              phase,
              b,
              () -> {
                if (commit) {
                  b.resource.commit(b.xid, false);
                } else {
                  b.resource.rollback(b.xid);
                }
                return XAResource.XA_OK;
              });
      ctx.coordinator().recordHeuristic(p.gtrid, r);
      b.fate = r.fate();
      if (r.fate() == BranchFate.RETRY) {
        still.add(b);
        LOG.log(
            Level.WARNING,
            "retry "
                + p.attempts
                + " of "
                + (commit ? "commit" : "rollback")
                + " of "
                + b.describe()
                + " not confirmed: "
                + r.verdict().meaning(),
            r.failure());
      } else {
        LOG.log(
            Level.INFO,
            b.describe() + ": " + r.verdict().meaning() + " (retry " + p.attempts + ")");
      }
    }
    p.remaining.clear();
    p.remaining.addAll(still);
    if (still.isEmpty()) {
      pending.remove(p.gtrid);
      if (p.writeEnd) {
        ctx.coordinator().writeEnd(p.gtrid, p.outcome);
      }
    } else {
      scheduleNext(p);
    }
  }
}
