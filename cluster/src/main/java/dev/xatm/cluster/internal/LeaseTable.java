package dev.xatm.cluster.internal;

import dev.xatm.cluster.Lease;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.LeaseClaim;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The lease table in PostgreSQL ({@code dev/xatm/cluster/schema.sql}): one row per node id, changed
 * only by single statements whose conditions the database checks atomically, with the database's
 * clock. Rows are read as {@link Lease}s. Nothing here decides policy; {@link LeaseKeeper} does.
 *
 * <p>Threading: one {@link ClusterDatabase} connection, used by one caller at a time (the starting
 * thread, then the renewal thread).
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
  private final ClusterDatabase db;

  public LeaseTable(ClusterConfig config) {
    this.config = config;
    // A renewal must give up in time for the next one (and the fence) to be meaningful.
    this.db =
        new ClusterDatabase(
            config,
            Duration.ofSeconds(Math.max(1, config.renewInterval().toSeconds())),
            "xatm-lease");
  }

  /** Creates the table if it is absent (the user needs CREATE on the schema, or run the file). */
  public void ensureSchema() throws SQLException {
    // CREATE TABLE IF NOT EXISTS is not atomic in PostgreSQL: nodes starting together on a fresh
    // database race, and the loser fails with 23505 on pg_type_typname_nsp_index. One at a time,
    // under a transaction-scoped advisory lock.
    db.transaction(
        t -> {
          t.call("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")", PreparedStatement::execute);
          return t.call(schema(), PreparedStatement::execute);
        });
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
    return db.call(
        ACQUIRE,
        LeaseTable::first,
        claim.nodeId(),
        claim.holder(),
        claim.logId(),
        config.leaseDuration().toMillis());
  }

  /**
   * Extends the lease of {@code nodeId} held at {@code epoch} by {@code lease-duration} from the
   * database's now.
   *
   * @return false when the row is no longer this holder's (taken over, or released)
   */
  public boolean renew(String nodeId, long epoch) throws SQLException {
    return db.call(RENEW, LeaseTable::one, config.leaseDuration().toMillis(), nodeId, epoch);
  }

  /** Gives the lease up at once, if this holder still has it. */
  public void release(String nodeId, long epoch) throws SQLException {
    db.call(RELEASE, PreparedStatement::executeUpdate, nodeId, epoch);
  }

  /** The row of {@code nodeId}, if there is one. */
  public Optional<Lease> read(String nodeId) throws SQLException {
    return db.call(READ, LeaseTable::first, nodeId);
  }

  /** Every row, by node id (an absent table reads as none). */
  public List<Lease> list() throws SQLException {
    try {
      return db.call(LIST, LeaseTable::all);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return List.of(); // undefined_table: no node ever started in cluster mode
      }
      throw e;
    }
  }

  /**
   * The leases of other node ids that expired more than {@code margin} ago, by the database's
   * clock, and that nobody released: candidates for a takeover.
   */
  public List<Lease> expired(String self, Duration margin) throws SQLException {
    return db.call(EXPIRED, LeaseTable::all, self, margin.toMillis());
  }

  /**
   * Takes {@code expired} over for {@code peer}: the epoch moves on (which fences every write of
   * the old holder), the lease runs from now, and the row names the peer. Only if it is still the
   * same expired lease.
   *
   * @return the taken-over row, or empty when someone else got there first or its holder is back
   */
  public Optional<Lease> takeOver(Lease expired, String peer, Duration margin) throws SQLException {
    return db.call(
        TAKE_OVER,
        LeaseTable::first,
        config.leaseDuration().toMillis(),
        peer,
        expired.nodeId(),
        expired.epoch(),
        margin.toMillis());
  }

  /**
   * Records the log of a node id taken from the pool, once the log exists.
   *
   * @return false when the lease is no longer this holder's
   */
  public boolean bindLog(String nodeId, long epoch, long logId) throws SQLException {
    return db.call(BIND_LOG, LeaseTable::one, logId, nodeId, epoch);
  }

  /** The log ids of {@code nodeId} with mirror rows written before lease epoch {@code epoch}. */
  public List<Long> logs(String nodeId, long epoch) throws SQLException {
    return db.call(
        LOGS,
        p -> {
          List<Long> out = new ArrayList<>();
          try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
              out.add(r.getLong(1));
            }
          }
          return out;
        },
        nodeId,
        epoch);
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
    return db.transaction(
        t -> {
          boolean held =
              t.call(
                  HOLD,
                  p -> {
                    try (ResultSet r = p.executeQuery()) {
                      return r.next();
                    }
                  },
                  nodeId,
                  epoch);
          if (!held) {
            t.rollback();
            return false;
          }
          t.call(DROP_LOG, PreparedStatement::executeUpdate, nodeId, logId, epoch);
          if (release) {
            t.call(RELEASE, PreparedStatement::executeUpdate, nodeId, epoch);
          }
          return true;
        });
  }

  /** The statement updated exactly one row. */
  private static boolean one(PreparedStatement p) throws SQLException {
    return p.executeUpdate() == 1;
  }

  private static Optional<Lease> first(PreparedStatement p) throws SQLException {
    try (ResultSet r = p.executeQuery()) {
      return r.next() ? Optional.of(row(r)) : Optional.empty();
    }
  }

  private static List<Lease> all(PreparedStatement p) throws SQLException {
    List<Lease> out = new ArrayList<>();
    try (ResultSet r = p.executeQuery()) {
      while (r.next()) {
        out.add(row(r));
      }
    }
    return out;
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

  @Override
  public void close() {
    db.close();
  }
}
