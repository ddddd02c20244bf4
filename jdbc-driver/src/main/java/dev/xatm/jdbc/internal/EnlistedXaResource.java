package dev.xatm.jdbc.internal;

import dev.xatm.tm.spi.IdentifiedXAResource;
import dev.xatm.tm.spi.InterruptibleXAResource;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XAResource the driver enlists: the vendor's XAResource plus the descriptor the TM logs for
 * recovery, and a record of where the branch stands so the pool knows whether the physical
 * connection is clean when the transaction is over.
 *
 * <p>It also makes the branch safe against a TM that skips {@code end}: XA (X/Open XA, 3.3 and the
 * state tables in chapter 6) requires {@code xa_end} before {@code xa_prepare} or a one-phase
 * {@code xa_commit}, and vendors refuse otherwise (pgjdbc: "Not ended"). If the branch is still
 * associated when prepare, one-phase commit or rollback arrives, this ends it first (TMSUCCESS, or
 * TMFAIL before a rollback).
 *
 * <p>Suspend is kept on the connection, not sent to the vendor: {@code end(TMSUSPEND)} and {@code
 * start(TMRESUME)} only change this object's state. PostgreSQL and MariaDB cannot suspend a branch
 * at all (pgjdbc answers XAER_RMERR, MariaDB XAER_INVAL), and none of the built-in vendors needs it
 * here, because the branch never leaves its physical connection: while the transaction is suspended
 * the driver's handles route the thread's work to other connections of the pool ({@link
 * XaConnectionHandle}), and on resume the same connection carries on with the same Xid. Ending a
 * suspended branch (prepare, one-phase commit, rollback) ends it at the vendor, where it is still
 * associated.
 *
 * <p>A timeout rollback from the TM's reaper first calls {@link #interruptWork}, which cancels the
 * statement the application is running and fences the connection against further application calls,
 * so that the XA calls that follow never race the application thread.
 *
 * <p>{@link #isSameRM} unwraps other instances of this class before asking the vendor, so wrapping
 * never changes the TM's join decisions. Thread-safe: XA calls may come from the application thread
 * and the TM's timeout thread; each call is serialized by a lock.
 */
final class EnlistedXaResource implements IdentifiedXAResource, InterruptibleXAResource {

  /** Where the branch stands from this resource's point of view. */
  enum BranchState {
    /** Not started yet (enlistment has not reached {@code start}). */
    NOT_STARTED,
    ACTIVE,
    SUSPENDED,
    ENDED,
    PREPARED,
    /** Committed, rolled back, forgotten, or read-only: nothing left on the connection. */
    COMPLETED,
    /** An XA call failed in a way that may leave the branch on the connection. */
    FAILED
  }

  private final PooledXaConnection connection;
  private final XAResource delegate;
  private final ResourceDescriptor descriptor;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile BranchState state = BranchState.NOT_STARTED;
  private volatile String interruptReason;
  private Xid xid;

  EnlistedXaResource(PooledXaConnection connection, ResourceDescriptor descriptor) {
    this.connection = connection;
    this.delegate = connection.xaResource();
    this.descriptor = descriptor;
  }

  @Override
  public ResourceDescriptor descriptor() {
    return descriptor;
  }

  BranchState branchState() {
    return state;
  }

  XAResource delegate() {
    return delegate;
  }

  /** Why a timeout interrupted this branch's work, or null. */
  String interruptReason() {
    return interruptReason;
  }

  @Override
  public boolean interruptWork(String reason, Duration wait) {
    interruptReason = reason;
    return connection.interrupt(reason, wait.toNanos());
  }

  @Override
  public void start(Xid xid, int flags) throws XAException {
    lock.lock();
    try {
      if (flags == TMRESUME && state == BranchState.SUSPENDED && xid.equals(this.xid)) {
        leaveSuspended(BranchState.ACTIVE); // kept on the connection: nothing to tell the vendor
        return;
      }
      delegate.start(xid, flags);
      this.xid = xid;
      state = BranchState.ACTIVE;
    } catch (XAException e) {
      throw failed(e, state == BranchState.NOT_STARTED ? BranchState.NOT_STARTED : state);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void end(Xid xid, int flags) throws XAException {
    lock.lock();
    try {
      if (flags == TMSUSPEND && state == BranchState.ACTIVE) {
        state = BranchState.SUSPENDED; // still associated at the vendor; see the class comment
        connection.suspendedBy(Thread.currentThread());
        return;
      }
      delegate.end(xid, flags);
      leaveSuspended(BranchState.ENDED);
    } catch (XAException e) {
      // XA_RB*: the branch was rolled back and is ended; anything else leaves it unknown.
      throw failed(e, isRollbackCode(e) ? BranchState.ENDED : BranchState.FAILED);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int prepare(Xid xid) throws XAException {
    lock.lock();
    try {
      endIfAssociated(xid, TMSUCCESS);
      int vote = delegate.prepare(xid);
      leaveSuspended(vote == XA_RDONLY ? BranchState.COMPLETED : BranchState.PREPARED);
      return vote;
    } catch (XAException e) {
      // A rollback vote (XA_RB*) means the RM rolled the branch back and forgot it.
      throw failed(e, isRollbackCode(e) ? BranchState.COMPLETED : BranchState.FAILED);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void commit(Xid xid, boolean onePhase) throws XAException {
    lock.lock();
    try {
      if (onePhase) {
        endIfAssociated(xid, TMSUCCESS);
      }
      delegate.commit(xid, onePhase);
      leaveSuspended(BranchState.COMPLETED);
    } catch (XAException e) {
      throw failed(e, completedOrFailed(e, onePhase));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void rollback(Xid xid) throws XAException {
    lock.lock();
    try {
      if (state == BranchState.ACTIVE || state == BranchState.SUSPENDED) {
        try {
          delegate.end(xid, TMFAIL);
          leaveSuspended(BranchState.ENDED);
        } catch (XAException e) {
          if (!isRollbackCode(e)) {
            throw failed(e, BranchState.FAILED);
          }
        }
      }
      delegate.rollback(xid);
      leaveSuspended(BranchState.COMPLETED);
    } catch (XAException e) {
      throw failed(e, completedOrFailed(e, true));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void forget(Xid xid) throws XAException {
    lock.lock();
    try {
      delegate.forget(xid);
      leaveSuspended(BranchState.COMPLETED);
    } catch (XAException e) {
      throw failed(e, e.errorCode == XAException.XAER_NOTA ? BranchState.COMPLETED : state);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Xid[] recover(int flag) throws XAException {
    return delegate.recover(flag);
  }

  @Override
  public boolean isSameRM(XAResource other) throws XAException {
    XAResource o = other instanceof EnlistedXaResource e ? e.delegate : other;
    return delegate.isSameRM(o);
  }

  @Override
  public int getTransactionTimeout() throws XAException {
    return delegate.getTransactionTimeout();
  }

  @Override
  public boolean setTransactionTimeout(int seconds) throws XAException {
    return delegate.setTransactionTimeout(seconds);
  }

  private void endIfAssociated(Xid xid, int flags) throws XAException {
    if (state == BranchState.ACTIVE || state == BranchState.SUSPENDED) {
      delegate.end(xid, flags);
      leaveSuspended(BranchState.ENDED);
    }
  }

  /** Every way out of SUSPENDED clears the pool's note of who suspended the connection. */
  private void leaveSuspended(BranchState next) {
    if (state == BranchState.SUSPENDED) {
      connection.suspendedBy(null);
    }
    state = next;
  }

  /**
   * After a failed commit or rollback: XAER_NOTA means the RM no longer knows the branch; heuristic
   * codes mean it decided on its own and keeps the branch until forget; a rollback code on a
   * one-phase commit means it rolled back.
   */
  private BranchState completedOrFailed(XAException e, boolean rollbackCodeCompletes) {
    if (e.errorCode == XAException.XAER_NOTA) {
      return BranchState.COMPLETED;
    }
    if (rollbackCodeCompletes && isRollbackCode(e)) {
      return BranchState.COMPLETED;
    }
    return BranchState.FAILED;
  }

  private XAException failed(XAException e, BranchState next) {
    leaveSuspended(next);
    if (e.errorCode == XAException.XAER_RMFAIL) {
      connection.markBroken("XA call failed with XAER_RMFAIL (resource manager unavailable)");
    }
    return e;
  }

  private static boolean isRollbackCode(XAException e) {
    return e.errorCode >= XAException.XA_RBBASE && e.errorCode <= XAException.XA_RBEND;
  }

  @Override
  public String toString() {
    return "xatm XAResource for " + descriptor.resourceId() + " (" + state + ", xid " + xid + ")";
  }
}
