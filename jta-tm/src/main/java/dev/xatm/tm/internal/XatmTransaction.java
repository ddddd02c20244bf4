package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.spi.IdentifiedXAResource;
import dev.xatm.tm.spi.InterruptibleXAResource;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * One transaction: its state machine, branches and their associations, synchronizations and TSR
 * resources. Completion is delegated to the {@link Coordinator}.
 *
 * <p>Threading: any thread may call any method. {@link #lock} guards branches, associations and the
 * resource map, and is held during XA start/end calls made for the application, so the reaper
 * (which only {@code tryLock}s) never races an enlistment. Completion runs once, guarded by {@link
 * #startCompletion()}.
 */
public final class XatmTransaction implements Transaction {
  private static final System.Logger LOG = System.getLogger(XatmTransaction.class.getName());

  private final Gtrid gtrid;
  private final String name;
  private final long deadlineMillis;
  private final TmContext ctx;
  final TxStateMachine state;
  final ReentrantLock lock = new ReentrantLock();
  private final List<TxBranch> branches = new ArrayList<>(2);
  private final List<Association> associations = new ArrayList<>(2);
  private final Map<Object, Object> resources = new HashMap<>();
  final Synchronizations synchronizations = new Synchronizations();
  private final AtomicBoolean completing = new AtomicBoolean();
  private final CountDownLatch completed = new CountDownLatch(1);
  private volatile boolean phase1Started;
  private volatile boolean timedOut;
  private volatile Throwable rollbackCause;

  /** The JFR event of this transaction's commit(), null when not recording (Coordinator only). */
  CommitEvent commitEvent;

  XatmTransaction(Gtrid gtrid, long deadlineMillis, TmContext ctx) {
    this.gtrid = gtrid;
    this.name = gtrid.toString();
    this.deadlineMillis = deadlineMillis;
    this.ctx = ctx;
    this.state = new TxStateMachine(name);
  }

  public Gtrid gtrid() {
    return gtrid;
  }

  public long deadlineMillis() {
    return deadlineMillis;
  }

  public TxState state() {
    return state.state();
  }

  public boolean timedOut() {
    return timedOut;
  }

  /** Why the transaction was marked rollback-only, if a cause is known. */
  public Throwable rollbackCause() {
    return rollbackCause;
  }

  /** Claims the right to complete; false when another commit/rollback already started. */
  boolean startCompletion() {
    return completing.compareAndSet(false, true);
  }

  boolean completionStarted() {
    return completing.get();
  }

  /** Called once the completion that won {@link #startCompletion()} has run afterCompletion. */
  void markCompleted() {
    completed.countDown();
  }

  /**
   * Waits for another thread's completion (the reaper's rollback) to finish.
   *
   * @return true when it finished within {@code timeout}
   */
  boolean awaitCompletion(Duration timeout) {
    try {
      return completed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** No enlistment or synchronization is accepted after this (beforeCompletion is over). */
  void markPhase1Started() {
    phase1Started = true;
    synchronizations.closeRegistration();
  }

  void markTimedOut() {
    timedOut = true;
    markRollbackOnly(new IllegalStateException("transaction " + name + " timed out"));
  }

  /** Marks rollback-only if still possible; remembers the first cause. */
  boolean markRollbackOnly(Throwable cause) {
    boolean marked = state.tryApply(TxTransition.MARK_ROLLBACK_ONLY);
    if (marked && rollbackCause == null && cause != null) {
      rollbackCause = cause;
    }
    return marked;
  }

  List<TxBranch> branches() {
    lock.lock();
    try {
      return List.copyOf(branches);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void commit()
      throws RollbackException,
          HeuristicMixedException,
          HeuristicRollbackException,
          SecurityException,
          IllegalStateException,
          SystemException {
    ctx.coordinator().commit(this);
  }

  @Override
  public void rollback() throws IllegalStateException, SystemException {
    ctx.coordinator().rollback(this);
  }

  @Override
  public void setRollbackOnly() throws IllegalStateException {
    if (!markRollbackOnly(new IllegalStateException("setRollbackOnly was called"))) {
      TxState s = state.state();
      if (s != TxState.ROLLING_BACK) {
        throw new IllegalStateException(
            "transaction " + name + " is " + s + "; it cannot be marked rollback-only");
      }
    }
  }

  @Override
  public int getStatus() {
    return state.state().jtaStatus();
  }

  @Override
  public void registerSynchronization(Synchronization sync)
      throws RollbackException, IllegalStateException, SystemException {
    register(sync, false);
  }

  void register(Synchronization sync, boolean interposed) throws RollbackException {
    if (sync == null) {
      throw new NullPointerException("synchronization");
    }
    TxState s = state.state();
    if (s == TxState.MARKED_ROLLBACK && !interposed) {
      throw new RollbackException("transaction " + name + " is marked rollback-only");
    }
    if ((s != TxState.ACTIVE && s != TxState.MARKED_ROLLBACK) || phase1Started) {
      throw new IllegalStateException(
          "transaction " + name + " is " + s + "; synchronizations are no longer accepted");
    }
    synchronizations.register(sync, interposed, name);
  }

  @Override
  public boolean enlistResource(XAResource res)
      throws RollbackException, IllegalStateException, SystemException {
    if (res == null) {
      throw new NullPointerException("XAResource");
    }
    lock.lock();
    try {
      checkEnlistable();
      Association a = find(res);
      if (a != null) {
        return reassociate(a);
      }
      for (TxBranch b : branches) {
        if (sameRm(b.resource, res)) {
          Association joined = new Association(res, b);
          if (start(joined, XAResource.TMJOIN, true)) {
            associations.add(joined);
            return true;
          }
        }
      }
      XatmXid xid = new XatmXid(gtrid, branches.size() + 1);
      TxBranch b =
          new TxBranch(xid, res, res instanceof IdentifiedXAResource ir ? ir.descriptor() : null);
      setResourceTimeout(res);
      Association first = new Association(res, b);
      start(first, XAResource.TMNOFLAGS, false);
      branches.add(b);
      associations.add(first);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void checkEnlistable() throws RollbackException {
    TxState s = state.state();
    if (s == TxState.MARKED_ROLLBACK) {
      throw new RollbackException(
          "transaction " + name + " is marked rollback-only; enlistment refused");
    }
    if (s != TxState.ACTIVE || phase1Started) {
      throw new IllegalStateException(
          "transaction "
              + name
              + " is "
              + s
              + (phase1Started ? " (completing)" : "")
              + "; enlistment refused");
    }
  }

  private boolean reassociate(Association a) throws RollbackException, SystemException {
    switch (a.state) {
      case ACTIVE:
        return true;
      case SUSPENDED:
        start(a, XAResource.TMRESUME, false);
        a.suspension = Association.Suspension.NONE;
        return true;
      default:
        start(a, XAResource.TMJOIN, false);
        return true;
    }
  }

  private boolean sameRm(XAResource enlisted, XAResource candidate) {
    try {
      return enlisted.isSameRM(candidate);
    } catch (XAException e) {
      LOG.log(Level.WARNING, "isSameRM failed in " + name + "; treating as a different RM", e);
      return false;
    }
  }

  private void setResourceTimeout(XAResource res) {
    long remainingSeconds = Math.max(1, (deadlineMillis - ctx.clock().millis() + 999) / 1000);
    try {
      res.setTransactionTimeout((int) Math.min(Integer.MAX_VALUE, remainingSeconds));
    } catch (XAException e) {
      LOG.log(Level.DEBUG, "setTransactionTimeout refused by " + res + " in " + name, e);
    }
  }

  /**
   * Calls start; on failure marks the association dead. With {@code joinMayFail}, a non-rollback
   * failure of TMJOIN returns false (the caller then starts a new branch instead).
   */
  private boolean start(Association a, int flags, boolean joinMayFail)
      throws RollbackException, SystemException {
    try {
      a.resource.start(a.branch.xid, flags);
      a.state = Association.State.ACTIVE;
      return true;
    } catch (XAException e) {
      String what =
          "start("
              + flagName(flags)
              + ") of "
              + a.branch.describe()
              + " failed with "
              + XaClassifier.name(e.errorCode);
      if (e.errorCode >= XAException.XA_RBBASE && e.errorCode <= XAException.XA_RBEND) {
        markRollbackOnly(e);
        RollbackException re = new RollbackException(what + "; the transaction will roll back");
        re.initCause(e);
        throw re;
      }
      if (joinMayFail) {
        LOG.log(Level.DEBUG, what + "; enlisting as a separate branch");
        return false;
      }
      SystemException se = new SystemException(what);
      se.errorCode = e.errorCode;
      se.initCause(e);
      throw se;
    }
  }

  @Override
  public boolean delistResource(XAResource res, int flag)
      throws IllegalStateException, SystemException {
    if (flag != XAResource.TMSUCCESS && flag != XAResource.TMFAIL && flag != XAResource.TMSUSPEND) {
      throw new IllegalArgumentException(
          "delistResource flag must be TMSUCCESS, TMFAIL or TMSUSPEND: " + flag);
    }
    lock.lock();
    try {
      TxState s = state.state();
      if (s != TxState.ACTIVE && s != TxState.MARKED_ROLLBACK) {
        throw new IllegalStateException("transaction " + name + " is " + s + "; delist refused");
      }
      Association a = find(res);
      boolean delistable =
          a != null
              && (a.state == Association.State.ACTIVE
                  || (a.state == Association.State.SUSPENDED && flag != XAResource.TMSUSPEND));
      if (!delistable) {
        // Javadoc: IllegalStateException only when the transaction is not active; a resource
        // that is not enlisted (or not associated) is simply not delisted.
        return false;
      }
      return end(a, flag);
    } finally {
      lock.unlock();
    }
  }

  /** Ends one association; false when the resource reported the branch rolled back. */
  private boolean end(Association a, int flag) throws SystemException {
    try {
      a.resource.end(a.branch.xid, flag);
      a.state =
          flag == XAResource.TMSUSPEND ? Association.State.SUSPENDED : Association.State.ENDED;
      if (flag == XAResource.TMFAIL) {
        markRollbackOnly(new IllegalStateException("a resource was delisted with TMFAIL"));
      }
      return true;
    } catch (XAException e) {
      a.state = Association.State.ENDED;
      markRollbackOnly(e);
      if (e.errorCode >= XAException.XA_RBBASE && e.errorCode <= XAException.XA_RBEND) {
        a.branch.fate = BranchFate.ROLLED_BACK;
        return false;
      }
      SystemException se =
          new SystemException(
              "end("
                  + flagName(flag)
                  + ") of "
                  + a.branch.describe()
                  + " failed with "
                  + XaClassifier.name(e.errorCode)
                  + "; the transaction is marked rollback-only");
      se.errorCode = e.errorCode;
      se.initCause(e);
      throw se;
    }
  }

  /**
   * TransactionManager.suspend: ends every active association with TMSUSPEND. A resource that
   * cannot suspend (XAER_RMERR, XAER_INVAL or XAER_PROTO, which pgjdbc and MariaDB Connector/J
   * answer and which leave the association as it was) keeps its branch associated: the branch is
   * {@link Association.Suspension#HELD} on its connection until resume, and the transaction is not
   * harmed (DESIGN §10). Any other failure ends the association and marks the transaction
   * rollback-only, as a failed end does.
   */
  void suspendAssociations() {
    lock.lock();
    try {
      for (Association a : associations) {
        if (a.state == Association.State.ACTIVE) {
          suspend(a);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void suspend(Association a) {
    try {
      a.resource.end(a.branch.xid, XAResource.TMSUSPEND);
      a.state = Association.State.SUSPENDED;
      a.suspension = Association.Suspension.SUSPENDED;
    } catch (XAException e) {
      if (cannotSuspend(e.errorCode)) {
        a.suspension = Association.Suspension.HELD;
        LOG.log(
            Level.DEBUG,
            () ->
                a.branch.describe()
                    + " cannot be suspended ("
                    + XaClassifier.name(e.errorCode)
                    + "); it stays associated until resume");
        return;
      }
      a.state = Association.State.ENDED;
      if (e.errorCode >= XAException.XA_RBBASE && e.errorCode <= XAException.XA_RBEND) {
        a.branch.fate = BranchFate.ROLLED_BACK;
      }
      markRollbackOnly(e);
      LOG.log(
          Level.WARNING,
          "end(TMSUSPEND) of "
              + a.branch.describe()
              + " failed with "
              + XaClassifier.name(e.errorCode)
              + "; the transaction is marked rollback-only",
          e);
    }
  }

  /** The codes a resource gives when it does not implement suspend; none changes its state. */
  private static boolean cannotSuspend(int errorCode) {
    return errorCode == XAException.XAER_RMERR
        || errorCode == XAException.XAER_INVAL
        || errorCode == XAException.XAER_PROTO;
  }

  /** TransactionManager.resume: restarts with TMRESUME what suspend suspended. */
  void resumeAssociations() {
    lock.lock();
    try {
      for (Association a : associations) {
        Association.Suspension was = a.suspension;
        a.suspension = Association.Suspension.NONE;
        if (was == Association.Suspension.SUSPENDED && a.state == Association.State.SUSPENDED) {
          try {
            start(a, XAResource.TMRESUME, false);
          } catch (RollbackException | SystemException e) {
            a.state = Association.State.ENDED;
            markRollbackOnly(e);
            LOG.log(Level.WARNING, "resume of " + a.branch.describe() + " failed", e);
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Before completion: ends every association still open (TMFAIL when rolling back). */
  void endAllAssociations(boolean fail) {
    lock.lock();
    try {
      for (Association a : associations) {
        if (a.state != Association.State.ENDED) {
          endQuietly(a, fail ? XAResource.TMFAIL : XAResource.TMSUCCESS);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * For the timeout reaper, without the lock (an interrupt may wait for the owner's statement to
   * return, and the owner may need the lock meanwhile): asks every active association whose
   * resource is an {@link InterruptibleXAResource} to stop the application's work on it (and
   * suspended ones too, so that the owner who resumes learns why its connection refuses work),
   * waiting for calls in progress until {@code untilMillis} on the TM's clock (for all of them
   * together; nothing when it has passed).
   *
   * @return the associations that are now quiet (no application call in progress, none possible)
   */
  List<Association> interruptActiveWork(String reason, long untilMillis) {
    List<Association> open = new ArrayList<>(associations.size());
    lock.lock();
    try {
      for (Association a : associations) {
        if (a.state != Association.State.ENDED) {
          open.add(a);
        }
      }
    } finally {
      lock.unlock();
    }
    List<Association> quiet = new ArrayList<>(open.size());
    for (Association a : open) {
      Duration wait = Duration.ofMillis(Math.max(0, untilMillis - ctx.clock().millis()));
      if (a.resource instanceof InterruptibleXAResource ir && ir.interruptWork(reason, wait)) {
        quiet.add(a);
      }
    }
    return quiet;
  }

  /**
   * Under the lock: true when every active association is one of {@code quiet}, so ending and
   * rolling back from the reaper's thread cannot race the application on a connection.
   */
  boolean onlyQuietAssociationsActive(List<Association> quiet) {
    for (Association a : associations) {
      if (a.state == Association.State.ACTIVE && !quiet.contains(a)) {
        return false;
      }
    }
    return true;
  }

  private void endQuietly(Association a, int flag) {
    try {
      end(a, flag);
    } catch (SystemException e) {
      LOG.log(Level.WARNING, e.getMessage(), e);
    }
  }

  private Association find(XAResource res) {
    for (Association a : associations) {
      if (a.resource == res) {
        return a;
      }
    }
    return null;
  }

  // TransactionSynchronizationRegistry resources: guarded by the lock.
  void putResource(Object key, Object value) {
    if (key == null) {
      throw new NullPointerException("key");
    }
    if (state.state().isTerminal()) {
      // TSR Javadoc: "IllegalStateException if no transaction is active"; in afterCompletion the
      // transaction has completed. Its resources stay readable there (frameworks clean up by key).
      throw new IllegalStateException(
          "transaction " + name + " has completed (" + state.state() + "); putResource refused");
    }
    lock.lock();
    try {
      resources.put(key, value);
    } finally {
      lock.unlock();
    }
  }

  Object getResource(Object key) {
    if (key == null) {
      throw new NullPointerException("key");
    }
    lock.lock();
    try {
      return resources.get(key);
    } finally {
      lock.unlock();
    }
  }

  static String flagName(int flag) {
    return switch (flag) {
      case XAResource.TMNOFLAGS -> "TMNOFLAGS";
      case XAResource.TMJOIN -> "TMJOIN";
      case XAResource.TMRESUME -> "TMRESUME";
      case XAResource.TMSUCCESS -> "TMSUCCESS";
      case XAResource.TMFAIL -> "TMFAIL";
      case XAResource.TMSUSPEND -> "TMSUSPEND";
      default -> "flags " + flag;
    };
  }

  @Override
  public String toString() {
    return "XatmTransaction[" + name + ", " + state.state() + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o == this;
  }

  @Override
  public int hashCode() {
    return gtrid.hashCode();
  }
}
