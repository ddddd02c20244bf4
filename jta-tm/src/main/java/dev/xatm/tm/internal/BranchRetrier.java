package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.Scheduler;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

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
  private volatile FreshConnections fresh = FreshConnections.NONE;

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

  /** Where retries get a new connection to a branch's resource (wired once recovery exists). */
  public void useFreshConnections(FreshConnections fresh) {
    this.fresh = java.util.Objects.requireNonNull(fresh, "fresh");
  }

  /** True while this retrier owns {@code gtrid} (it writes its End when every branch is done). */
  public boolean owns(Gtrid gtrid) {
    return pending.containsKey(gtrid);
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

  private static BranchResult call(XaPhase phase, TxBranch b, XAResource xa, boolean commit) {
    return Coordinator.call(
        phase,
        b,
        () -> {
          if (commit) {
            xa.commit(b.xid, false);
          } else {
            xa.rollback(b.xid);
          }
          return XAResource.XA_OK;
        });
  }

  /**
   * The retry through a new connection from the resource's recipe: the enlisted one has usually
   * died (a database restart), and calling it again can never succeed. An answer other than OK, a
   * heuristic or "retry" counts only once a fresh {@code recover()} on that connection no longer
   * lists the branch (as in recovery). Null when there is no recipe: use the enlisted connection.
   */
  private BranchResult viaFreshConnection(Gtrid g, XaPhase phase, TxBranch b, boolean commit) {
    if (b.descriptor == null) {
      return null;
    }
    Optional<RecoverySession> opened;
    try {
      opened = fresh.open(b.descriptor.resourceId());
    } catch (ResourceUnavailableException | RuntimeException e) {
      return new BranchResult(
          b, XaClassifier.classify(phase, javax.transaction.xa.XAException.XAER_RMFAIL), e);
    }
    if (opened.isEmpty()) {
      return null;
    }
    try (RecoverySession session = opened.get()) {
      XAResource xa = session.xaResource();
      BranchResult r = call(phase, b, xa, commit);
      if (r.failure() != null && r.verdict().heuristic() == null && r.fate() != BranchFate.RETRY) {
        if (stillListed(xa, b.xid)) {
          r =
              new BranchResult(
                  b,
                  XaClassifier.classify(phase, javax.transaction.xa.XAException.XAER_RMFAIL),
                  r.failure());
        }
      }
      ctx.coordinator().recordHeuristic(g, r, xa);
      return r;
    } catch (RuntimeException e) {
      return new BranchResult(
          b, XaClassifier.classify(phase, javax.transaction.xa.XAException.XAER_RMFAIL), e);
    }
  }

  /** True unless a fresh scan succeeds and does not list the Xid. */
  private static boolean stillListed(XAResource xa, XatmXid xid) {
    try {
      for (Xid raw : recoverAll(xa)) {
        if (XatmXid.sameXid(raw, xid)) {
          return true;
        }
      }
      return false;
    } catch (javax.transaction.xa.XAException | RuntimeException e) {
      return true;
    }
  }

  private static List<Xid> recoverAll(XAResource xa) throws javax.transaction.xa.XAException {
    Xid[] all = xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
    return all == null ? List.of() : List.of(all);
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
      BranchResult r = viaFreshConnection(p.gtrid, phase, b, commit);
      if (r == null) {
        r = call(phase, b, b.resource, commit);
        ctx.coordinator().recordHeuristic(p.gtrid, r);
      }
      b.fate = r.fate();
      if (r.fate() == BranchFate.RETRY) {
        still.add(b);
        LogLines.log(
            LOG,
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
      // End first, then let go: recovery writes End for a decided transaction only when no owner
      // in this process holds it and the log's view still has it decided (no second End).
      if (p.writeEnd) {
        ctx.coordinator().writeEnd(p.gtrid, p.outcome);
      }
      pending.remove(p.gtrid);
    } else {
      scheduleNext(p);
    }
  }
}
