package dev.xatm.jdbc.internal;

import dev.xatm.jdbc.PoolStats;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A bounded pool of physical XA connections to one resource (URL + user).
 *
 * <p>Threading: every method may be called from any thread. The pool's counters and idle deque are
 * guarded by one {@link ReentrantLock}; opening, validating, resetting and closing physical
 * connections happen outside it, so a slow database never blocks other borrowers' bookkeeping. A
 * borrower that finds neither an idle connection nor room to open one waits on a {@link Condition}
 * up to the acquire timeout. A background housekeeper (one daemon thread per pool, unless the
 * period is zero, started when the first connection opens) closes idle connections past their idle
 * timeout or lifetime and reports leaks; tests call {@link #runHousekeeping()} with an injected
 * clock instead.
 *
 * <p>Invariant: {@code total == |all|} + connections being opened, and {@code total <= max}.
 */
public final class XaPool implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.xatm.jdbc.pool");

  private final XaConnectionFactory factory;
  private final PoolConfig config;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition available = lock.newCondition();
  private final Deque<PooledXaConnection> idle = new ArrayDeque<>();
  private final Set<PooledXaConnection> all = new HashSet<>();
  private final Consumer<XaPool> onDiscard;

  // Guarded by lock.
  private ScheduledExecutorService housekeeper;
  private PoolDiscardedException discarded;
  private int total;
  private int waiting;
  private boolean closed;
  private long created;
  private long destroyed;
  private long evictedBroken;
  private long leaksDetected;
  private long acquireTimeouts;
  private final Set<PooledXaConnection> suspendedConnections = ConcurrentHashMap.newKeySet();

  /** A pool that lives until {@link #close()}, whatever its connections do (a DataSource's). */
  public XaPool(XaConnectionFactory factory, PoolConfig config) {
    this(factory, config, null);
  }

  /**
   * A pool that closes itself when it has never opened a connection and its first opening fails
   * with nobody else waiting or opening: then {@code onDiscard} runs (the driver forgets the pool)
   * and later borrowers get {@link PoolDiscardedException}. So a wrong password or a URL the vendor
   * refuses leaves nothing behind.
   *
   * @param onDiscard called once, outside the pool's lock, when the pool discards itself; null for
   *     a pool that never does
   */
  public XaPool(XaConnectionFactory factory, PoolConfig config, Consumer<XaPool> onDiscard) {
    this.factory = factory;
    this.config = config;
    this.name = factory.url().toString();
    this.onDiscard = onDiscard;
  }

  /**
   * The housekeeper starts with the first connection that opened: a pool that never connects has
   * nothing to keep and must not hold a thread. Called with the lock held.
   */
  private void startHousekeeperIfNeeded() {
    long period = config.housekeepingPeriod().toMillis();
    if (housekeeper != null || closed || period <= 0) {
      return;
    }
    housekeeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "xatm-pool-housekeeper");
              t.setDaemon(true);
              return t;
            });
    housekeeper.scheduleWithFixedDelay(
        this::housekeepingTick, period, period, TimeUnit.MILLISECONDS);
  }

  public String name() {
    return name;
  }

  public XaConnectionFactory factory() {
    return factory;
  }

  PoolConfig config() {
    return config;
  }

  /**
   * Borrows a connection with one use held by the caller (release with {@link
   * PooledXaConnection#exit()}).
   *
   * @throws SQLTransientConnectionException SQLState 08001 after the acquire timeout, with the
   *     pool's numbers
   * @throws SQLException opening a connection failed, or the pool is closed
   */
  PooledXaConnection acquire() throws SQLException {
    long timeoutNanos = config.acquireTimeout().toNanos();
    long remaining = timeoutNanos;
    Throwable stack =
        config.leakDetectionThreshold().isZero()
            ? null
            : new Throwable("connection to " + name + " borrowed here");
    while (true) {
      PooledXaConnection candidate = null;
      boolean open = false;
      lock.lock();
      try {
        while (true) {
          if (discarded != null) {
            throw discarded.forLaterBorrower();
          }
          if (closed) {
            throw new SQLException("the xatm pool for " + name + " is closed", "08003");
          }
          candidate = idle.pollFirst();
          if (candidate != null) {
            break;
          }
          if (total < config.maxPoolSize()) {
            total++;
            open = true;
            break;
          }
          if (remaining <= 0) {
            acquireTimeouts++;
            throw timeout(timeoutNanos);
          }
          if (heldBySuspensionsOf(Thread.currentThread()) >= total) {
            throw exhaustedBySuspensions();
          }
          waiting++;
          try {
            remaining = available.awaitNanos(remaining);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            available.signal(); // pass on a wake-up this thread may have consumed
            throw new SQLException(
                "interrupted while waiting for a connection to " + name, "08001", e);
          } finally {
            waiting--;
          }
        }
      } finally {
        lock.unlock();
      }
      if (open) {
        return openNew(stack);
      }
      long now = config.nanoClock().getAsLong();
      if (isAlive(candidate, now) && candidate.borrow(now, stack)) {
        return candidate;
      }
      destroy(candidate, candidate.brokenReason() != null);
    }
  }

  private PooledXaConnection openNew(Throwable stack) throws SQLException {
    PooledXaConnection c;
    try {
      c = wrap(factory.open());
    } catch (SQLException | RuntimeException e) {
      boolean discardNow = false;
      lock.lock();
      try {
        total--;
        if (onDiscard != null && !closed && created == 0 && total == 0 && waiting == 0) {
          // Nobody ever connected, nobody waits or opens: the pool has nothing worth keeping.
          closed = true;
          discarded = new PoolDiscardedException(name, e);
          discardNow = true;
          available.signalAll();
        } else {
          available.signal();
        }
      } finally {
        lock.unlock();
      }
      if (discardNow) {
        onDiscard.accept(this);
      }
      throw e;
    }
    c.startLease(config.nanoClock().getAsLong(), stack);
    lock.lock();
    try {
      created++;
      all.add(c);
      startHousekeeperIfNeeded();
    } finally {
      lock.unlock();
    }
    return c;
  }

  /** The pool's view of a fresh physical connection; closes it if even that fails. */
  private PooledXaConnection wrap(javax.sql.XAConnection xa) throws SQLException {
    try {
      return new PooledXaConnection(this, xa, config.nanoClock().getAsLong());
    } catch (SQLException e) {
      XaConnectionFactory.closeQuietly(xa);
      throw Redaction.clean(e, factory.url().secrets());
    } catch (RuntimeException e) {
      XaConnectionFactory.closeQuietly(xa);
      throw Redaction.clean(e, factory.url().secrets());
    }
  }

  private boolean isAlive(PooledXaConnection c, long now) {
    if (c.state() != PooledXaConnection.State.IDLE || c.brokenReason() != null) {
      return false;
    }
    if (expired(c, now)) {
      return false;
    }
    if (now - c.lastReturnedNanos() < PoolConfig.VALIDATION_BYPASS.toNanos()) {
      return true;
    }
    int seconds = (int) Math.max(1, (config.validationTimeout().toMillis() + 999) / 1000);
    try {
      if (c.connection().isValid(seconds)) {
        return true;
      }
      c.markBroken("isValid(" + seconds + ") returned false");
    } catch (SQLException e) {
      c.markBroken("isValid failed: " + e);
    }
    return false;
  }

  private boolean expired(PooledXaConnection c, long now) {
    long life = config.maxLifetime().toNanos();
    return life > 0 && now - c.createdNanos() >= life;
  }

  /** Called when the last use of a borrowed connection ends. */
  /** Connections whose transaction is suspended, and by which thread (see {@link #acquire}). */
  void noteSuspended(PooledXaConnection c, boolean suspended) {
    if (suspended) {
      suspendedConnections.add(c);
    } else {
      suspendedConnections.remove(c);
    }
  }

  private int heldBySuspensionsOf(Thread thread) {
    int n = 0;
    for (PooledXaConnection c : suspendedConnections) {
      if (c.isSuspendedBy(thread)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Every connection is held by a transaction that the waiting thread itself suspended: waiting
   * would almost always end in the acquire timeout, since such a transaction completes only when
   * this thread resumes it (which it cannot do while it waits here), when another thread resumes it
   * or when the timeout reaper rolls it back. Fail at once instead.
   */
  private SQLException exhaustedBySuspensions() {
    return new SQLNonTransientConnectionException(
        "all "
            + total
            + " connections of the xatm pool for "
            + name
            + " are held by JTA transactions that this thread has suspended (e.g. Spring"
            + " REQUIRES_NEW or NOT_SUPPORTED around work on the same database): the work done"
            + " while they are suspended needs a connection of its own; raise xatm.pool.max-size (now "
            + config.maxPoolSize()
            + ")",
        "08001");
  }

  void release(PooledXaConnection c) {
    suspendedConnections.remove(c);
    long now = config.nanoClock().getAsLong();
    if (c.leakReported()) {
      LOG.log(
          Level.INFO,
          "connection to {0} reported as a possible leak was returned after {1} ms",
          name,
          (now - c.borrowedNanos()) / 1_000_000);
    }
    boolean reuse = c.brokenReason() == null && !expired(c, now);
    if (reuse) {
      try {
        c.resetForReuse();
      } catch (SQLException e) {
        c.classify(e);
        c.markBroken("reset before reuse failed: " + e);
      }
      reuse = c.brokenReason() == null;
    }
    if (!reuse) {
      destroy(c, c.brokenReason() != null);
      return;
    }
    lock.lock();
    try {
      if (closed) {
        reuse = false;
      } else {
        c.markIdle(now);
        idle.addFirst(c);
        available.signal();
      }
    } finally {
      lock.unlock();
    }
    if (!reuse) {
      destroy(c, false);
    }
  }

  private void destroy(PooledXaConnection c, boolean broken) {
    if (broken) {
      LOG.log(Level.WARNING, "closing a broken connection to {0}: {1}", name, c.brokenReason());
    }
    boolean closedNow = c.closePhysical();
    lock.lock();
    try {
      if (all.remove(c) && closedNow) {
        total--;
        destroyed++;
        if (broken) {
          evictedBroken++;
        }
        idle.remove(c);
        available.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void housekeepingTick() {
    try {
      runHousekeeping();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "xatm pool housekeeping for " + name + " failed", e);
    }
  }

  /** Closes idle connections past their idle timeout or lifetime, and reports leaks. */
  public void runHousekeeping() {
    long now = config.nanoClock().getAsLong();
    long idleLimit = config.idleTimeout().toNanos();
    long leakLimit = config.leakDetectionThreshold().toNanos();
    List<PooledXaConnection> retire = new ArrayList<>();
    List<PooledXaConnection> leaks = new ArrayList<>();
    lock.lock();
    try {
      for (PooledXaConnection c : idle) {
        if ((idleLimit > 0 && now - c.lastReturnedNanos() >= idleLimit) || expired(c, now)) {
          retire.add(c);
        }
      }
      if (leakLimit > 0) {
        for (PooledXaConnection c : all) {
          if (c.state() == PooledXaConnection.State.IN_USE
              && !c.leakReported()
              && now - c.borrowedNanos() >= leakLimit) {
            c.setLeakReported();
            leaksDetected++;
            leaks.add(c);
          }
        }
      }
    } finally {
      lock.unlock();
    }
    for (PooledXaConnection c : retire) {
      if (c.retireIfIdle()) {
        lock.lock();
        try {
          idle.remove(c);
          all.remove(c);
          total--;
          destroyed++;
          available.signal();
        } finally {
          lock.unlock();
        }
      }
    }
    for (PooledXaConnection c : leaks) {
      LOG.log(
          Level.WARNING,
          "possible connection leak: a connection to "
              + name
              + " has been borrowed for "
              + (now - c.borrowedNanos()) / 1_000_000
              + " ms (xatm.pool.leak-detection-threshold="
              + config.leakDetectionThreshold().toMillis()
              + "ms); it was borrowed at the stack below. Close connections (try-with-resources)"
              + " and complete transactions.",
          c.borrowStack());
    }
  }

  public PoolStats stats() {
    lock.lock();
    try {
      return new PoolStats(
          total,
          total - idle.size(),
          idle.size(),
          waiting,
          config.maxPoolSize(),
          created,
          destroyed,
          evictedBroken,
          leaksDetected,
          acquireTimeouts);
    } finally {
      lock.unlock();
    }
  }

  private SQLTransientConnectionException timeout(long timeoutNanos) {
    // Called with the lock held.
    return new SQLTransientConnectionException(
        "xatm pool for "
            + name
            + ": no connection available after "
            + timeoutNanos / 1_000_000
            + " ms (total="
            + total
            + ", active="
            + (total - idle.size())
            + ", idle="
            + idle.size()
            + ", waiting="
            + waiting
            + ", maxPoolSize="
            + config.maxPoolSize()
            + "). Connections are held by open connections or unfinished transactions:"
            + " close connections, or raise xatm.pool.max-size; set"
            + " xatm.pool.leak-detection-threshold to log who holds them.",
        "08001");
  }

  /**
   * Closes idle connections now and refuses new borrows; borrowed connections are closed when their
   * owner returns them (a transaction branch after its transaction completes). Waiters fail at
   * once.
   */
  @Override
  public void close() {
    List<PooledXaConnection> toClose;
    ScheduledExecutorService keeper;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(idle);
      keeper = housekeeper;
      available.signalAll();
    } finally {
      lock.unlock();
    }
    if (keeper != null) {
      keeper.shutdownNow();
    }
    for (PooledXaConnection c : toClose) {
      destroy(c, false);
    }
  }

  /**
   * @throws PoolDiscardedException the pool discarded itself after its first connection failed
   * @throws SQLException SQLState 08003: the pool is closed
   */
  void checkOpen() throws SQLException {
    lock.lock();
    try {
      if (discarded != null) {
        throw discarded.forLaterBorrower();
      }
      if (closed) {
        throw new SQLException("the xatm pool for " + name + " is closed", "08003");
      }
    } finally {
      lock.unlock();
    }
  }

  /** True when the pool closed itself after its first connection failed (see constructor). */
  public boolean isDiscarded() {
    lock.lock();
    try {
      return discarded != null;
    } finally {
      lock.unlock();
    }
  }

  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }
}
