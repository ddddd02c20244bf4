package dev.xatm.cluster.internal;

import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.LeaseClaim;
import dev.xatm.tm.cluster.NodeLease;
import dev.xatm.tm.cluster.PeerRecoverer;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps one held lease (docs/cluster.md, "Leases"): renews it every {@code renew-interval} on its
 * own daemon thread, and answers {@link #mayDecide()} from the start time of the last successful
 * renewal, by this process's monotonic clock. The database computes the expiry from its own clock
 * when it executes the renewal, which is after that start, so the holder stops deciding at least
 * {@code fence-margin} before the database may let anyone else take the lease, however the two
 * clocks are set.
 *
 * <p>States: {@code HELD} (deciding), fenced (renewals failing past the fence: no decision until a
 * renewal succeeds again, which it may as long as nobody took the lease), {@code LOST} (the row is
 * someone else's: for good; the TM stops as after a log failure).
 *
 * <p>Threading: {@link #mayDecide()} and {@link #fencedBecause()} from any thread (volatile reads);
 * the renewal thread alone writes the state; {@link #close()} once.
 */
public final class LeaseKeeper implements NodeLease {
  private static final System.Logger LOG = System.getLogger(LeaseKeeper.class.getName());

  private final LeaseTable table;
  private final ClusterConfig config;
  private final String nodeId;
  private final long epoch;
  private volatile long logId; // 0 until bound, for a node id taken from the pool
  private final String holder;
  private final LongSupplier nanos;
  private volatile MirrorTable mirror; // once the log is known
  private volatile PeerWatch peers;
  private final List<Consumer<String>> lostHandlers = new CopyOnWriteArrayList<>();
  private final Thread renewer;
  private volatile long validUntilNanos;
  private volatile String lost; // why, once lost
  private volatile String lastFailure; // of the current streak of failed renewals, or null
  private volatile long failingSinceNanos;
  private volatile long inContactSinceNanos; // start of the current run of successful renewals
  private volatile boolean closed;

  /**
   * @param acquiredAtNanos when the acquiring statement was sent, by {@code nanos}
   */
  public LeaseKeeper(
      LeaseTable table,
      ClusterConfig config,
      LeaseClaim claim,
      long epoch,
      long acquiredAtNanos,
      LongSupplier nanos) {
    this.table = table;
    this.config = config;
    this.nodeId = claim.nodeId();
    this.logId = claim.logId();
    this.holder = claim.holder();
    this.epoch = epoch;
    this.mirror = logId == 0 ? null : new MirrorTable(config, nodeId, logId, epoch);
    this.nanos = nanos;
    this.validUntilNanos = acquiredAtNanos + config.fenceAfter().toNanos();
    this.inContactSinceNanos = acquiredAtNanos;
    this.renewer = new Thread(this::renewLoop, "xatm-lease-" + nodeId);
    renewer.setDaemon(true);
  }

  /** Starts renewing. */
  public void start() {
    renewer.start();
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public synchronized void bindLog(long id) {
    if (mirror != null) {
      throw new IllegalStateException("the lease on " + nodeId + " is bound to its log already");
    }
    try {
      if (!table.bindLog(nodeId, epoch, id)) {
        throw new XatmStartupException(
            "the lease on node id '" + nodeId + "' was lost before its new log was recorded", null);
      }
    } catch (SQLException e) {
      throw new XatmStartupException(
          "recording the new log of node id '"
              + nodeId
              + "' in the lease table at "
              + XatmConfigException.redactUrl(config.url())
              + " failed: "
              + e.getMessage(),
          e);
    }
    logId = id;
    mirror = new MirrorTable(config, nodeId, id, epoch);
  }

  @Override
  public MirrorTable mirror() {
    MirrorTable m = mirror;
    if (m == null) {
      throw new IllegalStateException("the lease on " + nodeId + " has no log yet (bindLog)");
    }
    return m;
  }

  @Override
  public synchronized void recoverPeers(PeerRecoverer recoverer) {
    if (peers == null && !closed) {
      peers = new PeerWatch(config, this, nodeId, logId, holder, recoverer);
      peers.start();
    }
  }

  @Override
  public boolean mayDecide() {
    return lost == null && nanos.getAsLong() - validUntilNanos < 0;
  }

  /**
   * Whether this node may take other node ids over now (docs/cluster.md, "Takeover"): it may
   * decide, and every renewal since at least {@code lease-duration} ago succeeded. A lease that
   * expired only because nobody could reach the cluster database (an outage, a partition of this
   * node) is not a dead node's: once the database answers again, its holder renews within a renew
   * interval. Only a holder that did not renew while this node did, for a whole lease duration, is
   * taken over.
   */
  boolean mayTakeOver() {
    return mayDecide()
        && lastFailure == null
        && nanos.getAsLong() - inContactSinceNanos >= config.leaseDuration().toNanos();
  }

  @Override
  public String fencedBecause() {
    String why = lost;
    if (why != null) {
      return why;
    }
    long now = nanos.getAsLong();
    if (now - validUntilNanos < 0) {
      return null;
    }
    String failure = lastFailure;
    return "the lease on node id '"
        + nodeId
        + "' could not be renewed for "
        + TimeUnit.NANOSECONDS.toMillis(now - failingSinceNanos)
        + " ms ("
        + (failure == null ? "no answer" : failure)
        + "); this node makes no commit decision until a renewal succeeds, so that it can never"
        + " decide while another process might hold the node id (xatm.cluster.fence-margin)";
  }

  @Override
  public void onLost(Consumer<String> handler) {
    lostHandlers.add(handler);
    String why = lost;
    if (why != null) {
      handler.accept(why);
    }
  }

  private void renewLoop() {
    long period = config.renewInterval().toNanos();
    long next = nanos.getAsLong() + period;
    while (!closed) {
      long wait = next - nanos.getAsLong();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return; // close()
        }
      }
      if (closed) {
        return;
      }
      long sent = nanos.getAsLong();
      next = sent + period;
      try {
        if (table.renew(nodeId, epoch)) {
          renewed(sent);
        } else {
          lose();
          return;
        }
      } catch (SQLException e) {
        failed(sent, e);
      } catch (RuntimeException e) {
        failed(sent, e);
      }
    }
  }

  private void renewed(long sent) {
    boolean wasFenced = sent - validUntilNanos >= 0;
    validUntilNanos = sent + config.fenceAfter().toNanos();
    if (lastFailure != null) {
      inContactSinceNanos = sent; // before lastFailure is cleared: mayTakeOver reads them so
      LOG.log(
          wasFenced ? Level.WARNING : Level.INFO,
          "lease on node id '"
              + nodeId
              + "' renewed again after "
              + TimeUnit.NANOSECONDS.toMillis(sent - failingSinceNanos)
              + " ms of failures"
              + (wasFenced ? "; deciding again" : ""));
      lastFailure = null;
    }
  }

  private void failed(long sent, Exception e) {
    String what = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (lastFailure == null) {
      failingSinceNanos = sent;
      LOG.log(
          Level.WARNING,
          "renewing the lease on node id '"
              + nodeId
              + "' at "
              + XatmConfigException.redactUrl(config.url())
              + " failed ("
              + what
              + "); retrying every "
              + config.renewInterval()
              + ", fenced in "
              + Math.max(0, TimeUnit.NANOSECONDS.toMillis(validUntilNanos - sent))
              + " ms unless one succeeds");
    }
    lastFailure = what;
  }

  private void lose() {
    String holder;
    try {
      holder = table.read(nodeId).map(Object::toString).orElse("nobody (the row is gone)");
    } catch (SQLException e) {
      holder = "unknown (" + e.getMessage() + ")";
    }
    String why =
        "the lease on node id '"
            + nodeId
            + "' (epoch "
            + epoch
            + ") is no longer this process's: now held by "
            + holder
            + ". It expired while this process could not renew it, and another process took it"
            + " (or an operator released it). This process makes no decision any more; restart it"
            + " to take the lease again once it is free";
    lost = why;
    LOG.log(Level.ERROR, why);
    for (Consumer<String> h : lostHandlers) {
      try {
        h.accept(why);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a lost-lease handler failed", e);
      }
    }
  }

  @Override
  public void close() {
    stop(true);
  }

  @Override
  public void abandon() {
    stop(false);
  }

  private void stop(boolean release) {
    if (closed) {
      return;
    }
    closed = true;
    PeerWatch p;
    synchronized (this) {
      p = peers;
    }
    if (p != null) {
      p.close();
    }
    MirrorTable m = mirror;
    if (m != null) {
      m.close();
    }
    renewer.interrupt();
    try {
      renewer.join(TimeUnit.SECONDS.toMillis(config.renewInterval().toSeconds() + 5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (release && lost == null) {
      try {
        table.release(nodeId, epoch);
      } catch (SQLException e) {
        LOG.log(
            Level.WARNING,
            "releasing the lease on node id '"
                + nodeId
                + "' failed ("
                + e.getMessage()
                + "); it expires by itself within "
                + config.leaseDuration());
      }
    }
    table.close();
  }

  @Override
  public String toString() {
    return "NodeLease[node=" + nodeId + ", epoch=" + epoch + (lost != null ? ", lost" : "") + "]";
  }
}
