package dev.xatm.cluster.internal;

import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.DecisionMirror;
import dev.xatm.tm.cluster.MirrorException;
import dev.xatm.tm.cluster.MirrorRow;
import java.lang.System.Logger.Level;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The decision mirror of one log in {@code xatm_mirror} (docs/cluster.md), written under one lease
 * epoch: every write is one statement that inserts only if the lease row still has that epoch, and
 * locks the row ({@code FOR SHARE}) so that a takeover's epoch change waits for it and every later
 * write under the old epoch finds nothing to insert.
 *
 * <p>Decisions are batched without a hand-off to another thread: the first committing thread that
 * finds no batch being written writes every decision queued while the previous batch ran, with one
 * statement and one commit; the forgotten decisions of ended transactions ride on the same round
 * trip, or go with a background flush every 200 ms.
 *
 * <p>Threading: any thread; one {@link ClusterDatabase} connection (a lock, not {@code
 * synchronized}: a committing virtual thread that leads a batch must not pin its carrier across the
 * database round trip).
 */
public final class MirrorTable implements DecisionMirror, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(MirrorTable.class.getName());
  private static final int DECISION = MirrorRow.Kind.DECISION.code();
  private static final int MAX_BATCH = 512;
  private static final int LEAD_ROUNDS = 4;
  private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long FORGET_EVERY_MILLIS = 200;

  private static final String DECIDE =
      "INSERT INTO xatm_mirror (node_id, log_id, kind, key, lease_epoch, record)"
          + " SELECT l.node_id, ?, 3, u.k, l.epoch, u.r"
          + " FROM xatm_node_lease l, unnest(?::bytea[], ?::bytea[]) AS u(k, r)"
          + " WHERE l.node_id = ? AND l.epoch = ? AND NOT l.released"
          + " FOR SHARE OF l"
          + " ON CONFLICT DO NOTHING RETURNING key";
  private static final String PUT =
      "INSERT INTO xatm_mirror (node_id, log_id, kind, key, lease_epoch, record)"
          + " SELECT l.node_id, ?, ?, ?, l.epoch, ?"
          + " FROM xatm_node_lease l WHERE l.node_id = ? AND l.epoch = ? AND NOT l.released"
          + " FOR SHARE OF l"
          + " ON CONFLICT (node_id, log_id, kind, key) DO UPDATE"
          + " SET record = EXCLUDED.record, lease_epoch = EXCLUDED.lease_epoch,"
          + " written_at = now()";
  private static final String TOMBSTONE =
      "INSERT INTO xatm_mirror (node_id, log_id, kind, key, lease_epoch, aborted, record)"
          + " SELECT l.node_id, ?, 3, ?, l.epoch, true, ''::bytea"
          + " FROM xatm_node_lease l WHERE l.node_id = ? AND l.epoch = ? AND NOT l.released"
          + " FOR SHARE OF l"
          + " ON CONFLICT DO NOTHING";
  private static final String OUTCOME =
      "SELECT aborted FROM xatm_mirror WHERE node_id = ? AND log_id = ? AND kind = 3 AND key = ?";
  private static final String FORGET =
      "DELETE FROM xatm_mirror WHERE node_id = ? AND log_id = ? AND kind = 3 AND key = ANY(?)";
  private static final String ROWS =
      "SELECT kind, key, aborted, record FROM xatm_mirror"
          + " WHERE node_id = ? AND log_id = ? AND lease_epoch < ?";

  private final ClusterConfig config;
  private final String nodeId;
  private final long logId;
  private final long epoch;
  private final Duration callTimeout;
  private final ConcurrentLinkedQueue<Pending> decisions = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<byte[]> forgotten = new ConcurrentLinkedQueue<>();
  private final Thread writer;
  private volatile boolean closed;
  private final ClusterDatabase db;

  private record Pending(
      byte[] gtrid, byte[] record, CompletableFuture<Boolean> done, Thread waiter) {}

  /** Whether a committing thread is writing a batch now (the leader). */
  private final java.util.concurrent.atomic.AtomicBoolean leading =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param config the cluster database
   * @param nodeId the node id of the log (and of the lease row the writes are conditioned on)
   * @param logId the log's identity
   * @param epoch the lease epoch every write is made under
   */
  public MirrorTable(ClusterConfig config, String nodeId, long logId, long epoch) {
    this.config = config;
    this.nodeId = nodeId;
    this.logId = logId;
    this.epoch = epoch;
    this.callTimeout = Duration.ofSeconds(Math.max(1, config.renewInterval().toSeconds()));
    this.db = new ClusterDatabase(config, callTimeout, "xatm-mirror");
    this.writer = new Thread(this::writeLoop, "xatm-mirror-" + nodeId);
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Group commit without a hand-off: the first committing thread that finds no batch being written
   * becomes the leader and writes every decision queued (its own and those that arrived while the
   * previous batch was written) with one statement and one commit; the others wait and are woken
   * when their row's answer is in, or when the leadership passes to them.
   */
  @Override
  public boolean decide(byte[] gtrid, byte[] record) throws MirrorException {
    Pending p = new Pending(gtrid, record, new CompletableFuture<>(), Thread.currentThread());
    decisions.add(p);
    // Every batch is answered within the socket timeout; this bound is the caller's alone.
    long deadline =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(callTimeout.toMillis() * 2 + 1000);
    while (!p.done.isDone()) {
      if (leading.compareAndSet(false, true)) {
        try {
          lead();
        } finally {
          leading.set(false);
        }
        Pending next = decisions.peek();
        if (next != null) {
          LockSupport.unpark(next.waiter); // arrived during the last write: it leads next
        }
      } else {
        LockSupport.parkNanos(this, WAIT_NANOS);
      }
      if (System.nanoTime() - deadline > 0 && !p.done.isDone()) {
        throw new MirrorException("no answer from " + where() + " in time", null);
      }
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new MirrorException("interrupted while waiting for " + where(), null);
      }
    }
    try {
      return p.done.getNow(false);
    } catch (java.util.concurrent.CompletionException e) {
      Throwable c = e.getCause();
      throw new MirrorException(describe(c), c);
    }
  }

  /** The leader: writes what is queued, again while more arrived during the write (bounded). */
  private void lead() {
    List<Pending> batch = new ArrayList<>();
    List<byte[]> forget = new ArrayList<>();
    for (int round = 0; round < LEAD_ROUNDS; round++) {
      drain(batch, forget);
      if (batch.isEmpty()) {
        return;
      }
      write(batch, forget);
      batch.clear();
      forget.clear();
    }
  }

  private void drain(List<Pending> batch, List<byte[]> forget) {
    Pending p;
    while (batch.size() < MAX_BATCH && (p = decisions.poll()) != null) {
      batch.add(p);
    }
    byte[] f;
    while (forget.size() < MAX_BATCH && (f = forgotten.poll()) != null) {
      forget.add(f);
    }
  }

  @Override
  public boolean settle(byte[] gtrid) throws MirrorException {
    try {
      db.call(TOMBSTONE, PreparedStatement::executeUpdate, logId, gtrid, nodeId, epoch);
      Boolean aborted =
          db.call(
              OUTCOME,
              q -> {
                try (ResultSet r = q.executeQuery()) {
                  return r.next() ? r.getBoolean(1) : null;
                }
              },
              nodeId,
              logId,
              gtrid);
      if (aborted == null) {
        // Neither the decision nor the tombstone: the epoch moved on (a peer took the node id
        // over, and its outcome is the one that counts): never settle it here.
        throw new MirrorException(refused() + "; the decision is the peer's to settle", null);
      }
      return !aborted;
    } catch (SQLException e) {
      throw new MirrorException(describe(e), e);
    }
  }

  @Override
  public void forget(byte[] gtrid) {
    forgotten.add(gtrid);
  }

  @Override
  public void put(MirrorRow row) throws MirrorException {
    int written;
    try {
      written =
          db.call(
              PUT,
              PreparedStatement::executeUpdate,
              logId,
              row.kind().code(),
              row.key(),
              row.record(),
              nodeId,
              epoch);
    } catch (SQLException e) {
      throw new MirrorException(describe(e), e);
    }
    if (written != 1) {
      throw new MirrorException(refused(), null);
    }
  }

  @Override
  public List<MirrorRow> rows() throws MirrorException {
    try {
      return db.call(
          ROWS,
          p -> {
            List<MirrorRow> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                out.add(
                    new MirrorRow(
                        MirrorRow.Kind.of(r.getInt(1)),
                        r.getBytes(2),
                        r.getBoolean(3),
                        r.getBytes(4)));
              }
            }
            return out;
          },
          nodeId,
          logId,
          epoch);
    } catch (SQLException e) {
      throw new MirrorException(describe(e), e);
    }
  }

  /**
   * Forgets the rows of ended transactions every {@link #FORGET_EVERY_MILLIS} (a leader also takes
   * them along), and leads for decisions nobody leads (a waiter that timed out).
   */
  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    List<byte[]> forget = new ArrayList<>();
    while (!closed) {
      LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(FORGET_EVERY_MILLIS));
      if (closed || !leading.compareAndSet(false, true)) {
        continue;
      }
      try {
        drain(batch, forget);
        if (!batch.isEmpty() || !forget.isEmpty()) {
          write(batch, forget);
        }
      } finally {
        leading.set(false);
        batch.clear();
        forget.clear();
      }
    }
    MirrorException gone = new MirrorException("the mirror of " + nodeId + " is closed", null);
    Pending p;
    while ((p = decisions.poll()) != null) {
      p.done.completeExceptionally(gone);
      LockSupport.unpark(p.waiter);
    }
  }

  /** One round trip: the decisions, then the forgotten rows (they are independent). */
  private void write(List<Pending> batch, List<byte[]> forget) {
    if (!batch.isEmpty()) {
      byte[][] keys = new byte[batch.size()][];
      byte[][] records = new byte[batch.size()][];
      for (int i = 0; i < batch.size(); i++) {
        keys[i] = batch.get(i).gtrid;
        records[i] = batch.get(i).record;
      }
      Set<String> inserted;
      try {
        // No query timeout on the commit path: the socket timeout bounds the call, and an
        // unanswered decision is settled later anyway.
        inserted =
            db.callUntimed(
                DECIDE,
                p -> {
                  p.setLong(1, logId);
                  p.setArray(2, p.getConnection().createArrayOf("bytea", keys));
                  p.setArray(3, p.getConnection().createArrayOf("bytea", records));
                  p.setString(4, nodeId);
                  p.setLong(5, epoch);
                  Set<String> out = new HashSet<>();
                  try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                      out.add(HexFormat.of().formatHex(rs.getBytes(1)));
                    }
                  }
                  return out;
                });
      } catch (SQLException | RuntimeException e) {
        for (Pending d : batch) {
          d.done.completeExceptionally(e);
          LockSupport.unpark(d.waiter);
        }
        forgotten.addAll(forget); // harmless to keep: try again with the next batch
        return;
      }
      for (Pending d : batch) {
        d.done.complete(inserted.contains(HexFormat.of().formatHex(d.gtrid)));
        LockSupport.unpark(d.waiter);
      }
    }
    if (!forget.isEmpty()) {
      try {
        db.call(
            FORGET,
            p -> {
              p.setString(1, nodeId);
              p.setLong(2, logId);
              p.setArray(
                  3, p.getConnection().createArrayOf("bytea", forget.toArray(new byte[0][])));
              return p.executeUpdate();
            });
      } catch (SQLException e) {
        LOG.log(Level.DEBUG, "forgetting " + forget.size() + " mirror rows failed; they stay", e);
      }
    }
  }

  private String where() {
    return "the cluster database at " + XatmConfigException.redactUrl(config.url());
  }

  private String refused() {
    return "lease epoch "
        + epoch
        + " of node id '"
        + nodeId
        + "' is no longer the lease's: nothing was written to "
        + where();
  }

  private String describe(Throwable e) {
    String state =
        e instanceof SQLException s && s.getSQLState() != null
            ? ", SQLState " + s.getSQLState()
            : "";
    return where() + " failed: " + e.getMessage() + state;
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(callTimeout.toMillis() * 2 + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    db.close();
  }
}
