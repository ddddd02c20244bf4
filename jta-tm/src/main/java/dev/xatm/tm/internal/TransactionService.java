package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread association and the TransactionManager / TSR operations of one TM instance: begin, commit,
 * rollback, suspend, resume, timeouts. The public facade {@code XatmTransactionManager} delegates
 * here.
 *
 * <p>Threading: the association is per thread (an instance {@link ThreadLocal}, so several TMs in
 * one JVM do not interfere); everything else is thread-safe.
 */
public final class TransactionService {
  private final TmContext ctx;
  private final TmIdentity identity;
  private final Duration defaultTimeout;
  private final TxRegistry registry = new TxRegistry();
  private final TimeoutReaper reaper;
  private final AtomicLong sequence = new AtomicLong();
  private final ThreadLocal<XatmTransaction> current = new ThreadLocal<>();
  private final ThreadLocal<Integer> threadTimeoutSeconds = new ThreadLocal<>();
  private volatile boolean closed;

  public TransactionService(
      TmContext ctx, TmIdentity identity, Duration defaultTimeout, Duration reaperInterval) {
    this.ctx = ctx;
    this.identity = identity;
    this.defaultTimeout = defaultTimeout;
    this.reaper = new TimeoutReaper(ctx, registry, reaperInterval);
    reaper.start();
  }

  public TxRegistry registry() {
    return registry;
  }

  public void begin() throws NotSupportedException, SystemException {
    XatmTransaction tx = current.get();
    if (tx != null) {
      throw new NotSupportedException(
          "this thread is already associated with transaction "
              + tx.gtrid()
              + " ("
              + tx.state()
              + "); nested transactions are not supported");
    }
    if (closed) {
      throw new SystemException("the transaction manager is closed");
    }
    ctx.failStop().check();
    Integer seconds = threadTimeoutSeconds.get();
    long timeoutMillis = seconds == null ? defaultTimeout.toMillis() : seconds * 1000L;
    Gtrid gtrid = identity.gtrid(sequence.incrementAndGet());
    XatmTransaction created = new XatmTransaction(gtrid, ctx.clock().millis() + timeoutMillis, ctx);
    registry.add(created);
    ctx.counters().began();
    current.set(created);
  }

  public void commit()
      throws RollbackException,
          HeuristicMixedException,
          HeuristicRollbackException,
          SystemException {
    XatmTransaction tx = requireCurrent("commit");
    try {
      ctx.coordinator().commit(tx);
    } finally {
      if (tx.state().isTerminal() || tx.completionStarted()) {
        current.remove();
        registry.remove(tx);
      }
    }
  }

  public void rollback() throws SystemException {
    XatmTransaction tx = requireCurrent("rollback");
    try {
      ctx.coordinator().rollback(tx);
    } finally {
      if (tx.state().isTerminal() || tx.completionStarted()) {
        current.remove();
        registry.remove(tx);
      }
    }
  }

  public void setRollbackOnly() {
    requireCurrent("setRollbackOnly").setRollbackOnly();
  }

  public boolean getRollbackOnly() {
    return requireCurrent("getRollbackOnly").state() == TxState.MARKED_ROLLBACK;
  }

  public int getStatus() {
    XatmTransaction tx = current.get();
    return tx == null ? Status.STATUS_NO_TRANSACTION : tx.getStatus();
  }

  public XatmTransaction getTransaction() {
    return current.get();
  }

  public void setTransactionTimeout(int seconds) throws SystemException {
    if (seconds < 0) {
      throw new SystemException("transaction timeout must be >= 0 seconds: " + seconds);
    }
    if (seconds == 0) {
      threadTimeoutSeconds.remove();
    } else {
      threadTimeoutSeconds.set(seconds);
    }
  }

  public Transaction suspend() {
    XatmTransaction tx = current.get();
    if (tx == null) {
      return null;
    }
    tx.suspendAssociations();
    current.remove();
    return tx;
  }

  public void resume(Transaction t) throws InvalidTransactionException {
    if (!(t instanceof XatmTransaction tx)) {
      throw new InvalidTransactionException("not a transaction of this transaction manager: " + t);
    }
    if (current.get() != null) {
      throw new IllegalStateException(
          "this thread is already associated with transaction " + current.get().gtrid());
    }
    if (tx.timedOut() && tx.state().isTerminal()) {
      // Rolled back by the reaper while suspended: the owner gets it back so that its commit
      // throws RollbackException (and its rollback is quiet), as after a timeout on the thread.
      current.set(tx);
      return;
    }
    if (tx.state().isTerminal() || !registry.isAlive(tx.gtrid())) {
      throw new InvalidTransactionException(
          "transaction " + tx.gtrid() + " is " + tx.state() + " and cannot be resumed");
    }
    tx.resumeAssociations();
    current.set(tx);
  }

  public Object getTransactionKey() {
    XatmTransaction tx = current.get();
    return tx == null ? null : tx.gtrid();
  }

  public void putResource(Object key, Object value) {
    requireCurrent("putResource").putResource(key, value);
  }

  public Object getResource(Object key) {
    return requireCurrent("getResource").getResource(key);
  }

  public void registerInterposedSynchronization(Synchronization sync) {
    XatmTransaction tx = requireCurrent("registerInterposedSynchronization");
    try {
      tx.register(sync, true);
    } catch (RollbackException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private XatmTransaction requireCurrent(String operation) {
    XatmTransaction tx = current.get();
    if (tx == null) {
      throw new IllegalStateException(
          operation + ": no transaction is associated with this thread");
    }
    return tx;
  }

  /** Runs the reaper once now (operators, tests). Returns how many it rolled back. */
  public int reapExpiredNow() {
    return reaper.reapNow();
  }

  public void close() {
    closed = true;
    reaper.close();
  }
}
