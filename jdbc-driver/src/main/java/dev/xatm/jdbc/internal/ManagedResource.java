package dev.xatm.jdbc.internal;

import dev.xatm.jdbc.PoolStats;
import dev.xatm.tm.spi.ResourceDescriptor;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One resource (URL + user) as applications see it: its pool, and the transaction branches that
 * currently hold pooled connections.
 *
 * <p>Within one JTA transaction every connection handle of this resource shares one physical
 * connection and therefore one XA branch: the first use enlists it ({@code registerSynchronization}
 * first, then {@code enlistResource}), later handles find it in {@link #branches}. The branch gives
 * the connection back to the pool in {@code afterCompletion}. The driver never calls {@code
 * delistResource}: handles may come and go within the transaction, and neither PostgreSQL nor
 * MariaDB can re-join an ended branch on another handle; the TM ends the branch ({@code
 * XAResource.end(TMSUCCESS)}) before prepare, as part of {@code Transaction.commit}, and {@link
 * EnlistedXaResource} ends it itself if a TM does not.
 *
 * <p>Thread-safe.
 */
public final class ManagedResource implements AutoCloseable {
  private final XaPool pool;
  private final TransactionSource transactions;
  private final ResourceDescriptor descriptor;
  private final String password;
  private final ConcurrentHashMap<Transaction, Branch> branches = new ConcurrentHashMap<>();

  public ManagedResource(XaPool pool, TransactionSource transactions) {
    this.pool = pool;
    this.transactions = transactions;
    this.descriptor = pool.factory().url().descriptor();
    this.password = pool.factory().url().password();
  }

  public ResourceDescriptor descriptor() {
    return descriptor;
  }

  public PoolStats stats() {
    return pool.stats();
  }

  public XaPool pool() {
    return pool;
  }

  /** Transactions that currently hold a connection of this resource. */
  public int openBranches() {
    return branches.size();
  }

  /** A new logical connection; it binds to a physical connection on first use. */
  public Connection connection() throws SQLException {
    pool.checkOpen();
    XaConnectionHandle handle = new XaConnectionHandle(this);
    // Outside a transaction, bind now so a wrong password or an unreachable server fails here
    // and not at the first statement; inside one, enlistment waits for the first use.
    if (currentTransaction() == null) {
      handle.bindNow();
    }
    return handle;
  }

  /**
   * The thread's transaction if it is active, null if there is none.
   *
   * @throws SQLException SQLState 25000: a transaction is associated but cannot take more work
   *     (marked rollback-only, or already completing or completed)
   */
  Transaction currentTransaction() throws SQLException {
    TransactionManager tm = transactions.transactionManager();
    if (tm == null) {
      return null;
    }
    try {
      Transaction tx = tm.getTransaction();
      if (tx == null) {
        return null;
      }
      int status = tx.getStatus();
      if (status == Status.STATUS_ACTIVE) {
        return tx;
      }
      if (status == Status.STATUS_NO_TRANSACTION) {
        return null;
      }
      throw new SQLException(
          "the JTA transaction of this thread is "
              + statusName(status)
              + ", so no more work can be done in it on "
              + pool.name()
              + "; roll it back (or let it finish) and start a new one",
          "25000");
    } catch (SystemException e) {
      throw new SQLException(
          "the transaction manager failed to report the transaction", "25000", e);
    }
  }

  /**
   * The branch of {@code tx} for this resource, enlisting one if there is none yet.
   *
   * @param adopt a connection the caller holds outside any transaction and gives up; it becomes the
   *     branch's connection if a new branch is needed, otherwise it is returned to the pool
   */
  Branch join(Transaction tx, PooledXaConnection adopt) throws SQLException {
    while (true) {
      Branch b = branches.computeIfAbsent(tx, t -> new Branch(t));
      b.lock.lock();
      try {
        if (b.connection != null && !b.completed) {
          if (adopt != null) {
            adopt.exit();
          }
          return b;
        }
        if (b.completed) {
          // Completed in the meantime (a timeout rollback); it is leaving the map: start afresh,
          // which the TM will refuse if the transaction is really over.
          branches.remove(tx, b);
          continue;
        }
        b.enlist(adopt);
        return b;
      } finally {
        b.lock.unlock();
      }
    }
  }

  private static String statusName(int status) {
    return switch (status) {
      case Status.STATUS_MARKED_ROLLBACK -> "marked rollback-only (timed out or setRollbackOnly)";
      case Status.STATUS_PREPARING, Status.STATUS_PREPARED -> "preparing to commit";
      case Status.STATUS_COMMITTING -> "committing";
      case Status.STATUS_COMMITTED -> "already committed";
      case Status.STATUS_ROLLING_BACK -> "rolling back";
      case Status.STATUS_ROLLEDBACK -> "already rolled back (timed out?)";
      default -> "in state " + status;
    };
  }

  @Override
  public void close() {
    pool.close();
  }

  /**
   * This resource's part in one transaction: one pooled connection, enlisted once.
   *
   * <p>Fields are written under {@link #lock} during enlistment; {@link #completed} is written by
   * {@code afterCompletion}, possibly on the TM's timeout thread.
   */
  final class Branch implements Synchronization {
    private final Transaction tx;
    private final ReentrantLock lock = new ReentrantLock();
    private PooledXaConnection connection;
    private int generation;
    private EnlistedXaResource resource;
    private volatile boolean completed;

    Branch(Transaction tx) {
      this.tx = tx;
    }

    Transaction transaction() {
      return tx;
    }

    PooledXaConnection connection() {
      return connection;
    }

    int generation() {
      return generation;
    }

    boolean isCompleted() {
      return completed;
    }

    /** Why the TM's timeout reaper stopped this branch's work, or null. */
    String interruptReason() {
      EnlistedXaResource r = resource;
      return r == null ? null : r.interruptReason();
    }

    private void enlist(PooledXaConnection adopt) throws SQLException {
      PooledXaConnection c;
      try {
        c = adopt != null ? adopt : pool.acquire();
      } catch (SQLException e) {
        completed = true;
        branches.remove(tx, this);
        throw e;
      }
      try {
        tx.registerSynchronization(this);
      } catch (RollbackException | IllegalStateException | SystemException e) {
        completed = true;
        branches.remove(tx, this);
        c.exit();
        throw new SQLException(
            "cannot use " + pool.name() + " in the current transaction: " + e, "25000", e);
      }
      // From here afterCompletion owns the connection's return to the pool.
      connection = c;
      generation = c.generation();
      resource = new EnlistedXaResource(c, descriptor);
      transactions.offerCredentials(descriptor, password);
      boolean enlisted;
      try {
        enlisted = tx.enlistResource(resource);
      } catch (RollbackException | IllegalStateException | SystemException e) {
        completed = true; // the handle must not use it; afterCompletion still returns it
        branches.remove(tx, this);
        throw new SQLException(
            "the transaction manager did not enlist " + pool.name() + ": " + e, "25000", e);
      }
      if (!enlisted) {
        completed = true;
        branches.remove(tx, this);
        throw new SQLException("the transaction manager refused to enlist " + pool.name(), "25000");
      }
    }

    @Override
    public void beforeCompletion() {
      // Nothing: the TM ends the branch itself before prepare.
    }

    @Override
    public void afterCompletion(int status) {
      completed = true;
      branches.remove(tx, this);
      PooledXaConnection c = connection;
      if (c == null) {
        return;
      }
      EnlistedXaResource.BranchState s = resource.branchState();
      if (s != EnlistedXaResource.BranchState.COMPLETED
          && s != EnlistedXaResource.BranchState.NOT_STARTED) {
        // A branch still on the connection (prepared, or unknown after an error) must never
        // reach the next borrower; closing the connection leaves it to the server and recovery.
        c.markBroken("its transaction ended (status " + status + ") with the XA branch " + s);
      }
      c.exit();
    }
  }
}
