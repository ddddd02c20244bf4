package dev.xatm.cluster;

import dev.xatm.cluster.internal.LeaseKeeper;
import dev.xatm.cluster.internal.LeaseTable;
import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.LeaseClaim;
import dev.xatm.tm.cluster.NodeLease;
import dev.xatm.tm.cluster.NodeLeaseProvider;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Node-id leases in a PostgreSQL table (docs/cluster.md): the {@link NodeLeaseProvider} the TM
 * finds through ServiceLoader when {@code xatm.cluster.url} is set.
 *
 * <p>Starting takes the lease by one conditional upsert (free: no row, released, or expired by the
 * database's clock), so two processes can never both hold it. A lease held by this node id's
 * previous incarnation on the same log (a crash, then a start) is waited for until it expires; one
 * held by a process on another log refuses the start at once, naming the holder.
 */
public final class PostgresNodeLeases implements NodeLeaseProvider {
  private static final System.Logger LOG = System.getLogger(PostgresNodeLeases.class.getName());
  private static final long POLL_MILLIS = 250;

  private final LongSupplier nanos;

  /** The provider ServiceLoader makes: this process's monotonic clock. */
  public PostgresNodeLeases() {
    this(System::nanoTime);
  }

  PostgresNodeLeases(LongSupplier nanos) {
    this.nanos = nanos;
  }

  @Override
  public NodeLease acquire(ClusterConfig config, LeaseClaim claim, Clock clock) {
    LeaseTable table = new LeaseTable(config);
    try {
      table.ensureSchema();
      long waitUntil =
          nanos.getAsLong() + config.leaseDuration().plus(config.renewInterval()).toNanos();
      boolean waitLogged = false;
      while (true) {
        long sent = nanos.getAsLong();
        Optional<Lease> got = table.tryAcquire(claim);
        if (got.isPresent()) {
          LeaseKeeper keeper =
              new LeaseKeeper(table, config, claim, got.get().epoch(), sent, nanos);
          keeper.start();
          LOG.log(
              Level.INFO,
              "node id '"
                  + claim.nodeId()
                  + "' leased at "
                  + XatmConfigException.redactUrl(config.url())
                  + ": epoch "
                  + got.get().epoch()
                  + ", renewed every "
                  + config.renewInterval());
          return keeper;
        }
        Optional<Lease> held = table.read(claim.nodeId());
        if (held.isEmpty() || held.get().free()) {
          continue; // released or expired between the two statements: try again
        }
        Lease h = held.get();
        // Log id 0: a holder that took the id from the pool and had not recorded its new log yet
        // (or died before it did): wait for it like for this log's own previous run.
        boolean ownLog = h.logId() == claim.logId() || h.logId() == 0;
        if (h.takenOverBy() != null && nanos.getAsLong() - waitUntil >= 0) {
          table.close();
          throw new XatmStartupException(
              "node id '"
                  + claim.nodeId()
                  + "' was taken over by "
                  + h
                  + " in the lease table at "
                  + XatmConfigException.redactUrl(config.url())
                  + " after its lease expired, and that peer is still recovering its prepared"
                  + " transactions (a resource it needs may be down). It releases the node id when"
                  + " nothing is left in doubt; start again then (`xatm cluster leases` shows it)",
              null);
        }
        if (!ownLog || nanos.getAsLong() - waitUntil >= 0) {
          table.close();
          throw new XatmStartupException(refusal(config, claim, h, ownLog), null);
        }
        if (!waitLogged) {
          LOG.log(
              Level.WARNING,
              "node id '"
                  + claim.nodeId()
                  + "' is still leased by "
                  + h
                  + ", on this same log: taken to be this node's previous run, which ended"
                  + " without releasing it; waiting until it expires (at most "
                  + config.leaseDuration()
                  + ")");
          waitLogged = true;
        }
        long untilExpiry = Duration.between(h.databaseNow(), h.expiresAt()).toMillis() + 1;
        TimeUnit.MILLISECONDS.sleep(Math.max(1, Math.min(untilExpiry, POLL_MILLIS)));
      }
    } catch (SQLException e) {
      table.close();
      throw unusable(config, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      table.close();
      throw new XatmStartupException("interrupted while waiting for the node id's lease", e);
    }
  }

  @Override
  public NodeLease acquireFree(ClusterConfig config, String holder, Clock clock) {
    LeaseTable table = new LeaseTable(config);
    try {
      table.ensureSchema();
      java.util.List<String> held = new java.util.ArrayList<>();
      for (String nodeId : config.nodeIds()) {
        long sent = nanos.getAsLong();
        Optional<Lease> got = table.tryAcquire(new LeaseClaim(nodeId, 0, holder));
        if (got.isPresent()) {
          LeaseKeeper keeper =
              new LeaseKeeper(
                  table, config, new LeaseClaim(nodeId, 0, holder), got.get().epoch(), sent, nanos);
          keeper.start();
          LOG.log(
              Level.INFO,
              "node id '"
                  + nodeId
                  + "' taken from the pool (xatm.cluster.node-ids) at "
                  + XatmConfigException.redactUrl(config.url())
                  + ": epoch "
                  + got.get().epoch()
                  + "; the new log is created with it");
          return keeper;
        }
        table.read(nodeId).ifPresent(l -> held.add(l.nodeId() + ": " + l));
      }
      table.close();
      throw new XatmStartupException(
          "every node id of xatm.cluster.node-ids ("
              + config.nodeIds().size()
              + ") is held in the lease table at "
              + XatmConfigException.redactUrl(config.url())
              + ": "
              + String.join("; ", held.subList(0, Math.min(5, held.size())))
              + (held.size() > 5 ? "; ..." : "")
              + ". Make the pool larger than the number of replicas (plus those being replaced),"
              + " or wait until an abandoned lease expires",
          null);
    } catch (SQLException e) {
      table.close();
      throw unusable(config, e);
    }
  }

  /**
   * Reads the lease table, for operators ({@code xatm cluster leases}); changes nothing.
   *
   * @param config where the table is
   * @return every lease, by node id; empty when the table does not exist yet
   * @throws SQLException the database cannot be reached or read
   */
  public static java.util.List<Lease> list(ClusterConfig config) throws SQLException {
    try (LeaseTable table = new LeaseTable(config)) {
      return table.list();
    }
  }

  private static XatmStartupException unusable(ClusterConfig config, SQLException e) {
    return new XatmStartupException(
        "the cluster lease table at "
            + XatmConfigException.redactUrl(config.url())
            + " cannot be used ("
            + e.getMessage()
            + (e.getSQLState() == null ? "" : ", SQLState " + e.getSQLState())
            + "). Check "
            + ClusterConfig.URL
            + ", xatm.cluster.user and the password, that the database is up, and that the"
            + " user may create the table (or create it once from dev/xatm/cluster/schema.sql in"
            + " xatm-cluster's jar)",
        e);
  }

  private static String refusal(ClusterConfig config, LeaseClaim claim, Lease h, boolean ownLog) {
    return "node id '"
        + claim.nodeId()
        + "' is held by "
        + h
        + " in the lease table at "
        + XatmConfigException.redactUrl(config.url())
        + (ownLog
            ? ", which keeps renewing it although it runs on this same log: a copy of this log"
                + " directory is running elsewhere. Stop one of them"
            : ": another process is running with this node id. Give each process its own node id"
                + " (xatm.node-id) and log directory, or stop the other one. A lease its holder"
                + " abandoned expires by itself by "
                + h.expiresAt());
  }
}
