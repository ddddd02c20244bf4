package dev.xatm.cluster.internal;

import dev.xatm.cluster.Lease;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.PeerRecoverer;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Peer recovery (docs/cluster.md, "Takeover"): every renewal interval, on its own daemon thread,
 *
 * <ul>
 *   <li>takes over each other node id whose lease expired more than {@code fence-margin} ago (by
 *       the database's clock) and that nobody released: one conditional update bumps its epoch, so
 *       its old holder can no longer write a decision, and names this node as the peer;
 *   <li>runs recovery for it with its mirror as the log, again every interval, renewing the
 *       taken-over lease meanwhile, until a pass leaves nothing to do; then deletes its mirror rows
 *       and releases the lease, so its node id is free again (for its old process, or any other);
 *   <li>recovers the older logs of this node's own id (a node id that moved to a new log, e.g. a
 *       pod whose volume was lost) the same way, under this node's own lease.
 * </ul>
 *
 * <p>Only a node that may decide takes anything over: a fenced node does not. Nor does a node
 * before a lease duration of unbroken renewals of its own ({@link LeaseKeeper#mayTakeOver()}):
 * after an outage of the cluster database every lease reads as expired, live holders' included.
 *
 * <p>Threading: its own thread; {@link #close()} from any.
 */
public final class PeerWatch implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PeerWatch.class.getName());

  private final LeaseTable table;
  private final ClusterConfig config;
  private final LeaseKeeper own;
  private final String nodeId;
  private final long logId;
  private final String self;
  private final PeerRecoverer recoverer;
  private final List<Lease> recovering = new ArrayList<>(); // this thread's only
  private final Thread thread;
  private volatile boolean closed;

  /**
   * @param config the cluster database
   * @param own this node's lease (it says whether this node may take others over now)
   * @param nodeId this node's id
   * @param logId this node's log
   * @param self who this node is, for the lease row ({@code taken_over_by})
   * @param recoverer runs recovery for a taken-over log
   */
  public PeerWatch(
      ClusterConfig config,
      LeaseKeeper own,
      String nodeId,
      long logId,
      String self,
      PeerRecoverer recoverer) {
    this.table = new LeaseTable(config);
    this.config = config;
    this.own = own;
    this.nodeId = nodeId;
    this.logId = logId;
    this.self = nodeId + " (" + self + ")";
    this.recoverer = recoverer;
    this.thread = new Thread(this::loop, "xatm-peers-" + nodeId);
    thread.setDaemon(true);
  }

  /** Starts watching. */
  public void start() {
    thread.start();
  }

  private void loop() {
    long period = config.renewInterval().toMillis();
    while (!closed) {
      try {
        round();
      } catch (SQLException | RuntimeException e) {
        LOG.log(Level.DEBUG, "peer watch round failed; the next one repeats it", e);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(period);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One round: renew what is being recovered, take over what expired, recover, release. */
  void round() throws SQLException {
    if (!own.mayDecide()) {
      return; // fenced: this node may be the one that is cut off
    }
    for (Lease l : List.copyOf(recovering)) {
      if (!table.renew(l.nodeId(), l.epoch())) {
        LOG.log(
            Level.WARNING,
            "node id '" + l.nodeId() + "' taken over by " + self + " was taken from it; dropped");
        recovering.remove(l);
      }
    }
    // After an outage of the cluster database every lease reads as expired: take nothing over
    // until the others had a lease duration of renewals to show they are alive.
    List<Lease> candidates =
        own.mayTakeOver() ? table.expired(nodeId, config.fenceMargin()) : List.of();
    for (Lease expired : candidates) {
      Optional<Lease> got = table.takeOver(expired, self, config.fenceMargin());
      if (got.isPresent()) {
        LOG.log(
            Level.WARNING,
            "node id '"
                + expired.nodeId()
                + "' took over: its lease "
                + expired
                + " expired more than "
                + config.fenceMargin()
                + " ago; recovering its prepared transactions from its mirror (lease epoch "
                + got.get().epoch()
                + ")");
        recovering.add(got.get());
      }
    }
    for (Lease l : List.copyOf(recovering)) {
      if (closed) {
        return;
      }
      // Renewed right before the pass: a pass reads only rows written before the takeover's
      // epoch (DecisionMirror#rows), so even a hold that lapses during a long pass cannot make it
      // act on a later holder's transactions; this keeps it from starting on a lost hold at all.
      if (!table.renew(l.nodeId(), l.epoch())) {
        LOG.log(
            Level.WARNING,
            "node id '" + l.nodeId() + "' taken over by " + self + " was taken from it; dropped");
        recovering.remove(l);
        continue;
      }
      boolean done = true;
      // Every log of the node id written before the takeover: the holder's, and any earlier one
      // it had not finished recovering (or a pool id that died before its new log was recorded).
      for (long log : table.logs(l.nodeId(), l.epoch())) {
        done &= recoverLog(l.nodeId(), log, l.epoch());
      }
      // Released only while still held at the takeover's epoch, in the same transaction.
      done = done && table.finishLog(l.nodeId(), l.logId(), l.epoch(), true);
      if (done) {
        recovering.remove(l);
        LOG.log(
            Level.WARNING,
            "node id '"
                + l.nodeId()
                + "' recovered by "
                + self
                + " and released: nothing of its log is left in doubt");
      }
    }
    for (long old : table.logs(nodeId, own.epoch())) {
      if (old != logId && recoverLog(nodeId, old, own.epoch())) {
        LOG.log(
            Level.WARNING,
            String.format(
                "an earlier log (%016x) of this node id '%s' recovered from its mirror",
                old, nodeId));
      }
    }
  }

  /**
   * One recovery pass over {@code log} of {@code node} under lease epoch {@code epoch}; when it
   * leaves nothing to do, its rows are dropped if the lease is still held at that epoch.
   */
  private boolean recoverLog(String node, long log, long epoch) throws SQLException {
    boolean done;
    try (MirrorTable mirror = new MirrorTable(config, node, log, epoch)) {
      done = recoverer.recover(node, log, mirror);
    }
    return done && table.finishLog(node, log, epoch, false);
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(config.renewInterval().toSeconds() + 5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    table.close();
  }
}
