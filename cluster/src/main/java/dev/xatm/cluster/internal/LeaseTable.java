package dev.xatm.cluster.internal;

import dev.xatm.cluster.Lease;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.LeaseClaim;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * The lease table in PostgreSQL ({@code dev/xatm/cluster/schema.sql}): one row per node id, changed
 * only by single statements whose conditions the database checks atomically, with the database's
 * clock. Rows are read as {@link Lease}s. Nothing here decides policy; {@link LeaseKeeper} does.
 *
 * <p>Threading: one connection, used by one thread at a time (the starting thread, then the renewal
 * thread); one lock (not {@code synchronized}: a virtual thread must not pin its carrier across a
 * database call) guards the hand-over and {@link #close()}.
 */
public final class LeaseTable implements AutoCloseable {
  private static final String COLUMNS =
      "node_id, epoch, holder, log_id, expires_at, released, now(), taken_over_by";
  private static final String ACQUIRE =
      "INSERT INTO xatm_node_lease AS l"
          + " (node_id, epoch, holder, log_id, acquired_at, renewed_at, expires_at)"
          + " VALUES (?, 1, ?, ?, now(), now(), now() + ? * interval '1 millisecond')"
          + " ON CONFLICT (node_id) DO UPDATE SET epoch = l.epoch + 1, holder = EXCLUDED.holder,"
          + " log_id = EXCLUDED.log_id, acquired_at = now(), renewed_at = now(),"
          + " expires_at = EXCLUDED.expires_at, released = false, taken_over_by = NULL"
          + " WHERE l.released OR l.expires_at < now()"
          + " RETURNING "
          + COLUMNS;
  private static final String RENEW =
      "UPDATE xatm_node_lease SET renewed_at = now(),"
          + " expires_at = now() + ? * interval '1 millisecond'"
          + " WHERE node_id = ? AND epoch = ? AND NOT released";
  private static final String RELEASE =
      "UPDATE xatm_node_lease SET released = true, expires_at = now()"
          + " WHERE node_id = ? AND epoch = ? AND NOT released";
  private static final String LIST = "SELECT " + COLUMNS + " FROM xatm_node_lease ORDER BY node_id";
  private static final String READ =
      "SELECT " + COLUMNS + " FROM xatm_node_lease WHERE node_id = ?";
  private static final String EXPIRED =
      "SELECT "
          + COLUMNS
          + " FROM xatm_node_lease WHERE node_id <> ? AND NOT released"
          + " AND expires_at < now() - ? * interval '1 millisecond' ORDER BY node_id";
  private static final String TAKE_OVER =
      "UPDATE xatm_node_lease SET epoch = epoch + 1, renewed_at = now(),"
          + " expires_at = now() + ? * interval '1 millisecond', taken_over_by = ?"
          + " WHERE node_id = ? AND epoch = ? AND NOT released"
          + " AND expires_at < now() - ? * interval '1 millisecond'"
          + " RETURNING "
          + COLUMNS;
  private static final String BIND_LOG =
      "UPDATE xatm_node_lease SET log_id = ? WHERE node_id = ? AND epoch = ? AND NOT released";
  private static final String LOGS =
      "SELECT DISTINCT log_id FROM xatm_mirror WHERE node_id = ? AND lease_epoch < ?";
  private static final String HOLD =
      "SELECT 1 FROM xatm_node_lease WHERE node_id = ? AND epoch = ? AND NOT released FOR UPDATE";
  private static final String DROP_LOG =
      "DELETE FROM xatm_mirror WHERE node_id = ? AND log_id = ? AND lease_epoch <= ?";

  /** The advisory lock key that serializes {@link #ensureSchema()} ("xatm" in ASCII). */
  private static final long SCHEMA_LOCK = 0x7861746dL;

  private final ClusterConfig config;
  private final Duration callTimeout;
  private final java.util.concurrent.locks.ReentrantLock lock =
      new java.util.concurrent.locks.ReentrantLock();
  private Connection connection; // null until connected or after a failure; guarded by lock

  public LeaseTable(ClusterConfig config) {
    this.config = config;
    // A renewal must give up in time for the next one (and the fence) to be meaningful.
    long seconds = Math.max(1, config.renewInterval().toSeconds());
    this.callTimeout = Duration.ofSeconds(seconds);
  }

  /** Creates the table if it is absent (the user needs CREATE on the schema, or run the file). */
  public void ensureSchema() throws SQLException {
    lock.lock();
    try {
      Connection c = connection();
      try (Statement s = c.createStatement()) {
        s.setQueryTimeout((int) callTimeout.toSeconds());
        // CREATE TABLE IF NOT EXISTS is not atomic in PostgreSQL: nodes starting together on a
        // fresh database race, and the loser fails with 23505 on pg_type_typname_nsp_index. One at
        // a time, under a transaction-scoped advisory lock.
        c.setAutoCommit(false);
        s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
        s.execute(schema());
        c.commit();
        c.setAutoCommit(true);
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The DDL of the lease table, as shipped in {@code dev/xatm/cluster/schema.sql}. */
  public static String schema() {
    try (InputStream in = LeaseTable.class.getResourceAsStream("/dev/xatm/cluster/schema.sql")) {
      if (in == null) {
        throw new IllegalStateException("dev/xatm/cluster/schema.sql is missing from xatm-cluster");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("reading dev/xatm/cluster/schema.sql failed", e);
    }
  }

  /**
   * Takes the lease for {@code claim} when nobody holds it (no row, released, or expired by the
   * database's clock), incrementing its epoch.
   *
   * @return the new row, or empty when it is held
   */
  public Optional<Lease> tryAcquire(LeaseClaim claim) throws SQLException {
    lock.lock();
    try {
      try (PreparedStatement p = connection().prepareStatement(ACQUIRE)) {
        p.setQueryTimeout((int) callTimeout.toSeconds());
        p.setString(1, claim.nodeId());
        p.setString(2, claim.holder());
        p.setLong(3, claim.logId());
        p.setLong(4, config.leaseDuration().toMillis());
        try (ResultSet r = p.executeQuery()) {
          return r.next() ? Optional.of(row(r)) : Optional.empty();
        }
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Extends the lease of {@code nodeId} held at {@code epoch} by {@code lease-duration} from the
   * database's now.
   *
   * @return false when the row is no longer this holder's (taken over, or released)
   */
  public boolean renew(String nodeId, long epoch) throws SQLException {
    lock.lock();
    try {
      try (PreparedStatement p = connection().prepareStatement(RENEW)) {
        p.setQueryTimeout((int) callTimeout.toSeconds());
        p.setLong(1, config.leaseDuration().toMillis());
        p.setString(2, nodeId);
        p.setLong(3, epoch);
        return p.executeUpdate() == 1;
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Gives the lease up at once, if this holder still has it. */
  public void release(String nodeId, long epoch) throws SQLException {
    lock.lock();
    try {
      try (PreparedStatement p = connection().prepareStatement(RELEASE)) {
        p.setQueryTimeout((int) callTimeout.toSeconds());
        p.setString(1, nodeId);
        p.setLong(2, epoch);
        p.executeUpdate();
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The row of {@code nodeId}, if there is one. */
  public Optional<Lease> read(String nodeId) throws SQLException {
    lock.lock();
    try {
      try (PreparedStatement p = connection().prepareStatement(READ)) {
        p.setQueryTimeout((int) callTimeout.toSeconds());
        p.setString(1, nodeId);
        try (ResultSet r = p.executeQuery()) {
          return r.next() ? Optional.of(row(r)) : Optional.empty();
        }
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Every row, by node id (an absent table reads as none). */
  public java.util.List<Lease> list() throws SQLException {
    lock.lock();
    try {
      try (PreparedStatement p = connection().prepareStatement(LIST)) {
        p.setQueryTimeout((int) callTimeout.toSeconds());
        java.util.List<Lease> out = new java.util.ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            out.add(row(r));
          }
        }
        return out;
      } catch (SQLException e) {
        drop();
        if ("42P01".equals(e.getSQLState())) {
          return java.util.List.of(); // undefined_table: no node ever started in cluster mode
        }
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The leases of other node ids that expired more than {@code margin} ago, by the database's
   * clock, and that nobody released: candidates for a takeover.
   */
  public java.util.List<Lease> expired(String self, Duration margin) throws SQLException {
    lock.lock();
    try {
      try (PreparedStatement p = connection().prepareStatement(EXPIRED)) {
        p.setQueryTimeout((int) callTimeout.toSeconds());
        p.setString(1, self);
        p.setLong(2, margin.toMillis());
        java.util.List<Lease> out = new java.util.ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            out.add(row(r));
          }
        }
        return out;
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes {@code expired} over for {@code peer}: the epoch moves on (which fences every write of
   * the old holder), the lease runs from now, and the row names the peer. Only if it is still the
   * same expired lease.
   *
   * @return the taken-over row, or empty when someone else got there first or its holder is back
   */
  public Optional<Lease> takeOver(Lease expired, String peer, Duration margin) throws SQLException {
    lock.lock();
    try {
      try (PreparedStatement p = connection().prepareStatement(TAKE_OVER)) {
        p.setQueryTimeout((int) callTimeout.toSeconds());
        p.setLong(1, config.leaseDuration().toMillis());
        p.setString(2, peer);
        p.setString(3, expired.nodeId());
        p.setLong(4, expired.epoch());
        p.setLong(5, margin.toMillis());
        try (ResultSet r = p.executeQuery()) {
          return r.next() ? Optional.of(row(r)) : Optional.empty();
        }
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records the log of a node id taken from the pool, once the log exists.
   *
   * @return false when the lease is no longer this holder's
   */
  public boolean bindLog(String nodeId, long epoch, long logId) throws SQLException {
    lock.lock();
    try {
      try (PreparedStatement p = connection().prepareStatement(BIND_LOG)) {
        p.setQueryTimeout((int) callTimeout.toSeconds());
        p.setLong(1, logId);
        p.setString(2, nodeId);
        p.setLong(3, epoch);
        return p.executeUpdate() == 1;
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** The log ids of {@code nodeId} with mirror rows written before lease epoch {@code epoch}. */
  public java.util.List<Long> logs(String nodeId, long epoch) throws SQLException {
    lock.lock();
    try {
      try (PreparedStatement p = connection().prepareStatement(LOGS)) {
        p.setQueryTimeout((int) callTimeout.toSeconds());
        p.setString(1, nodeId);
        p.setLong(2, epoch);
        java.util.List<Long> out = new java.util.ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            out.add(r.getLong(1));
          }
        }
        return out;
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * After a recovery that left nothing to do: deletes the log's mirror rows written up to lease
   * epoch {@code epoch}, and with {@code release} gives the lease up, in one transaction and only
   * while the lease is still held at {@code epoch} (locked {@code FOR UPDATE}, so no newer holder
   * can have written anything meanwhile).
   *
   * @return false when the lease is no longer held at that epoch: nothing was changed
   */
  public boolean finishLog(String nodeId, long logId, long epoch, boolean release)
      throws SQLException {
    lock.lock();
    try {
      Connection c = connection();
      try {
        c.setAutoCommit(false);
        try (PreparedStatement hold = c.prepareStatement(HOLD)) {
          hold.setQueryTimeout((int) callTimeout.toSeconds());
          hold.setString(1, nodeId);
          hold.setLong(2, epoch);
          try (ResultSet r = hold.executeQuery()) {
            if (!r.next()) {
              c.rollback();
              c.setAutoCommit(true);
              return false;
            }
          }
        }
        try (PreparedStatement d = c.prepareStatement(DROP_LOG)) {
          d.setQueryTimeout((int) callTimeout.toSeconds());
          d.setString(1, nodeId);
          d.setLong(2, logId);
          d.setLong(3, epoch);
          d.executeUpdate();
        }
        if (release) {
          try (PreparedStatement r = c.prepareStatement(RELEASE)) {
            r.setQueryTimeout((int) callTimeout.toSeconds());
            r.setString(1, nodeId);
            r.setLong(2, epoch);
            r.executeUpdate();
          }
        }
        c.commit();
        c.setAutoCommit(true);
        return true;
      } catch (SQLException e) {
        drop();
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  private static Lease row(ResultSet r) throws SQLException {
    return new Lease(
        r.getString(1),
        r.getLong(2),
        r.getString(3),
        r.getLong(4),
        r.getTimestamp(5).toInstant(),
        r.getBoolean(6),
        r.getTimestamp(7).toInstant(),
        r.getString(8));
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = ClusterDatabase.connect(config, callTimeout, "xatm-lease");
    }
    return connection;
  }

  /** After a failure: the next call connects again (the server may have restarted). */
  private void drop() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // it is broken already
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      drop();
    } finally {
      lock.unlock();
    }
  }
}
