package dev.xatm.jdbc.internal;

import dev.xatm.tm.spi.IdentifiedXAResource;
import dev.xatm.tm.spi.ResourceDescriptor;
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
 * <p>{@link #isSameRM} unwraps other instances of this class before asking the vendor, so wrapping
 * never changes the TM's join decisions. Thread-safe: XA calls may come from the application thread
 * and the TM's timeout thread; each call is serialized by a lock.
 */
final class EnlistedXaResource implements IdentifiedXAResource {

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

  @Override
  public void start(Xid xid, int flags) throws XAException {
    lock.lock();
    try {
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
      delegate.end(xid, flags);
      state = flags == TMSUSPEND ? BranchState.SUSPENDED : BranchState.ENDED;
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
      state = vote == XA_RDONLY ? BranchState.COMPLETED : BranchState.PREPARED;
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
      state = BranchState.COMPLETED;
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
          state = BranchState.ENDED;
        } catch (XAException e) {
          if (!isRollbackCode(e)) {
            throw failed(e, BranchState.FAILED);
          }
        }
      }
      delegate.rollback(xid);
      state = BranchState.COMPLETED;
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
      state = BranchState.COMPLETED;
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
      state = BranchState.ENDED;
    }
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
    state = next;
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
