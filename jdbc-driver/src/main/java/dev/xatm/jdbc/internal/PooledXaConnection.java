package dev.xatm.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.sql.ConnectionEvent;
import javax.sql.ConnectionEventListener;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;

/**
 * One physical XA connection and its pool bookkeeping.
 *
 * <p>While borrowed it has exactly one owner (a local connection handle or a transaction branch)
 * that holds one "use"; every JDBC call running on it holds one more. The connection goes back to
 * the pool when the count drops to zero, so a transaction that completes on another thread (a
 * timeout rollback) never hands the connection to the next borrower while a statement of the old
 * one still runs. The generation number changes on every borrow so a statement object from an
 * earlier borrow can never run on a later borrower's connection.
 *
 * <p>Thread-safe: state changes are CAS transitions; the JDBC objects are used by one thread at a
 * time by the owner's contract, except {@code close} from the pool.
 */
final class PooledXaConnection {

  /** Lifecycle; transitions are the methods below, anything else is a bug. */
  enum State {
    IDLE,
    IN_USE,
    CLOSED
  }

  private final XaPool pool;
  private final XAConnection xa;
  private final Connection connection;
  private final XAResource xaResource;
  private final long createdNanos;
  private final AtomicReference<State> state = new AtomicReference<>(State.IN_USE);
  private final AtomicInteger uses = new AtomicInteger();
  private final AtomicInteger generation = new AtomicInteger();
  private final Set<Statement> openStatements = ConcurrentHashMap.newKeySet();
  private final SessionState session = new SessionState();

  private volatile long lastReturnedNanos;
  private volatile long borrowedNanos;
  private volatile Throwable borrowStack;
  private volatile boolean leakReported;
  private volatile String brokenReason;
  // Statements executing right now (raw objects), so a timeout can cancel exactly those.
  private final Set<Statement> runningStatements = ConcurrentHashMap.newKeySet();
  // Those of them interrupt() has cancelled: a repeated interrupt does not cancel them again.
  private final Set<Statement> cancelledStatements = ConcurrentHashMap.newKeySet();
  // The lease a timeout interrupted, and why; see interrupt(). Generations start at 1.
  private volatile int interruptedGeneration;
  private volatile String interruptReason;
  // The thread that suspended this connection's transaction, while it is suspended.
  private volatile Thread suspendedBy;
  private Runnable beforeEnterRegisters = () -> {}; // a test seam; see FenceRaceTest

  PooledXaConnection(XaPool pool, XAConnection xa, long nowNanos) throws SQLException {
    this.pool = pool;
    this.xa = xa;
    this.connection = xa.getConnection();
    this.xaResource = new VendorXaResource(xa.getXAResource());
    this.createdNanos = nowNanos;
    this.lastReturnedNanos = nowNanos;
    xa.addConnectionEventListener(
        new ConnectionEventListener() {
          @Override
          public void connectionClosed(ConnectionEvent event) {
            // Closing the logical handle is our own doing; the physical connection stays.
          }

          @Override
          public void connectionErrorOccurred(ConnectionEvent event) {
            SQLException e = event.getSQLException();
            markBroken("the driver reported a fatal error" + (e == null ? "" : ": " + e));
          }
        });
  }

  Connection connection() {
    return connection;
  }

  XAResource xaResource() {
    return xaResource;
  }

  XaPool pool() {
    return pool;
  }

  State state() {
    return state.get();
  }

  // --- state transitions (pool only) -------------------------------------------------------

  /** IDLE to IN_USE; false when the connection was closed by housekeeping meanwhile. */
  boolean borrow(long nowNanos, Throwable stack) {
    if (!state.compareAndSet(State.IDLE, State.IN_USE)) {
      return false;
    }
    startLease(nowNanos, stack);
    return true;
  }

  /** A fresh connection starts IN_USE; this opens its first lease. */
  void startLease(long nowNanos, Throwable stack) {
    generation.incrementAndGet();
    borrowedNanos = nowNanos;
    borrowStack = stack;
    leakReported = false;
    uses.set(1);
  }

  /** IN_USE to IDLE. */
  void markIdle(long nowNanos) {
    borrowStack = null;
    lastReturnedNanos = nowNanos;
    if (!state.compareAndSet(State.IN_USE, State.IDLE)) {
      throw new IllegalStateException("connection returned to the pool twice: " + state.get());
    }
  }

  /** Any state to CLOSED; closes the physical connection once. */
  boolean closePhysical() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return false;
    }
    XaConnectionFactory.closeQuietly(xa);
    return true;
  }

  /** Moves IDLE to CLOSED only; used by housekeeping, which must not take a borrowed one. */
  boolean retireIfIdle() {
    if (!state.compareAndSet(State.IDLE, State.CLOSED)) {
      return false;
    }
    XaConnectionFactory.closeQuietly(xa);
    return true;
  }

  // --- uses ------------------------------------------------------------------------------------

  int generation() {
    return generation.get();
  }

  /**
   * Registers a JDBC call of the lease {@code expectedGeneration}; false when that lease is over
   * (the caller then reports the object as closed).
   */
  boolean enter(int expectedGeneration) {
    if (interruptedGeneration == expectedGeneration) {
      return false;
    }
    beforeEnterRegisters.run();
    while (true) {
      int n = uses.get();
      if (n <= 0) {
        return false;
      }
      if (uses.compareAndSet(n, n + 1)) {
        // Checked again after registering: interrupt() writes the fence and then reads the count,
        // this reads the fence after writing the count, so one of the two sees the other. With
        // the first check alone, a call that passed it just before the fence went up would run
        // beside the reaper's end(TMFAIL) and rollback, on the same physical connection.
        if (generation.get() != expectedGeneration || interruptedGeneration == expectedGeneration) {
          exit();
          return false;
        }
        return true;
      }
    }
  }

  /** Tests only: runs between {@link #enter}'s fence check and its registration of the call. */
  void beforeEnterRegisters(Runnable r) {
    this.beforeEnterRegisters = r;
  }

  /** Ends a call or the owner's hold; the last one out returns the connection to the pool. */
  void exit() {
    int n = uses.decrementAndGet();
    if (n == 0) {
      pool.release(this);
    } else if (n < 0) {
      throw new IllegalStateException("connection use count below zero");
    }
  }

  // --- health and reset ------------------------------------------------------------------------

  void markBroken(String reason) {
    if (brokenReason == null) {
      brokenReason = reason;
    }
  }

  /** Marks the connection broken when {@code e} says the connection is gone. */
  void classify(SQLException e) {
    if (FatalErrors.isFatal(e)) {
      markBroken("fatal error, SQLState " + e.getSQLState() + ": " + e.getMessage());
    }
  }

  String brokenReason() {
    return brokenReason;
  }

  // --- timeouts and suspension ------------------------------------------------------------------

  /** Brackets a statement execution, so {@link #interrupt} can cancel it. */
  void startRunning(Statement s) {
    runningStatements.add(s);
  }

  void stopRunning(Statement s) {
    runningStatements.remove(s);
    cancelledStatements.remove(s);
  }

  /**
   * Stops the application's use of the current lease from another thread: every later call fails
   * ({@link #enter} refuses it; callers report {@link #interruptReason(int)}), running statements
   * are cancelled ({@code Statement.cancel}, which pgjdbc and MariaDB Connector/J support from
   * another thread), and the caller waits until no call is in progress or {@code waitNanos} passed.
   * Statements that start while waiting are cancelled too. Idempotent: the reaper calls it once
   * without a wait and again to wait, and a statement is cancelled once (each pgjdbc cancel is a
   * new connection to the server).
   *
   * @return true when no call is in progress (only the owner's hold remains, or not even that)
   */
  boolean interrupt(String reason, long waitNanos) {
    int g = generation.get();
    if (interruptedGeneration != g) {
      interruptReason = reason;
      interruptedGeneration = g;
    }
    long deadline = pool.config().nanoClock().getAsLong() + waitNanos;
    while (true) {
      for (Statement s : runningStatements) {
        if (cancelledStatements.add(s)) {
          try {
            s.cancel();
          } catch (SQLException e) {
            classify(e);
          }
        }
      }
      if (uses.get() <= 1) {
        return true;
      }
      if (pool.config().nanoClock().getAsLong() - deadline >= 0) {
        return false;
      }
      LockSupport.parkNanos(1_000_000L);
      if (Thread.currentThread().isInterrupted()) {
        return uses.get() <= 1;
      }
    }
  }

  /** Why the lease {@code leaseGeneration} was interrupted, or null if it was not. */
  String interruptReason(int leaseGeneration) {
    return interruptedGeneration == leaseGeneration ? interruptReason : null;
  }

  /** The transaction holding this connection was suspended by {@code thread} (or resumed: null). */
  void suspendedBy(Thread thread) {
    suspendedBy = thread;
    pool.noteSuspended(this, thread != null);
  }

  boolean isSuspendedBy(Thread thread) {
    return suspendedBy == thread;
  }

  /** True while the transaction holding this connection is suspended. */
  boolean isSuspended() {
    return suspendedBy != null;
  }

  void trackStatement(Statement s) {
    openStatements.add(s);
  }

  void untrackStatement(Statement s) {
    openStatements.remove(s);
  }

  /** The session attributes changed through handles, restored by {@link #resetForReuse()}. */
  SessionState session() {
    return session;
  }

  /**
   * Makes the connection fit for the next borrower: closes what the last one left open, ends a
   * local transaction it left behind (autoCommit is checked on every return: the getter is local in
   * pgjdbc, Connector/J and H2, and an XA branch may leave it false), restores the session
   * attributes that were changed (see {@link SessionState}).
   *
   * @throws SQLException the connection is unusable (the pool closes it)
   */
  void resetForReuse() throws SQLException {
    suspendedBy = null;
    runningStatements.clear();
    cancelledStatements.clear();
    for (Statement s : openStatements) {
      try {
        s.close();
      } catch (SQLException e) {
        classify(e);
      }
    }
    openStatements.clear();
    if (!connection.getAutoCommit()) {
      connection.rollback();
      connection.setAutoCommit(true);
    }
    session.reset(connection);
    connection.clearWarnings();
  }

  // --- timestamps for housekeeping -------------------------------------------------------------

  long createdNanos() {
    return createdNanos;
  }

  long lastReturnedNanos() {
    return lastReturnedNanos;
  }

  long borrowedNanos() {
    return borrowedNanos;
  }

  Throwable borrowStack() {
    return borrowStack;
  }

  boolean leakReported() {
    return leakReported;
  }

  void setLeakReported() {
    leakReported = true;
  }
}
