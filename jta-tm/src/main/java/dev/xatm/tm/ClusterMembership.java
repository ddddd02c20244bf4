package dev.xatm.tm;

import dev.xatm.tm.cluster.NodeLease;
import dev.xatm.tm.internal.DecisionGate;
import dev.xatm.tm.internal.FailStop;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.MirroringTxLog;
import dev.xatm.tm.log.TxLog;
import java.lang.System.Logger.Level;

/**
 * What the cluster mode adds to a running TM (docs/cluster.md): the lease's fence as the decision
 * gate, a lost lease as a fail-stop, peer recovery once the node's own startup pass is done, and at
 * close either a release or, when the node leaves work a peer must finish, a lease left to expire.
 * {@link #NONE} without the cluster mode.
 */
final class ClusterMembership {
  private static final System.Logger LOG = System.getLogger(XatmTransactionManager.class.getName());

  /** Not in a cluster: every decision may be made, nothing to do at close. */
  static final ClusterMembership NONE = new ClusterMembership(null);

  private final NodeLease lease; // null: NONE

  private ClusterMembership(NodeLease lease) {
    this.lease = lease;
  }

  /** {@return the membership of a TM holding {@code lease}, or {@link #NONE} for null} */
  static ClusterMembership of(NodeLease lease) {
    return lease == null ? NONE : new ClusterMembership(lease);
  }

  /** {@return the gate the coordinator asks before every decision} */
  DecisionGate gate() {
    return lease == null ? DecisionGate.OPEN : lease::fencedBecause;
  }

  /** Someone else holds the node id now: stop deciding for good, as after a log failure. */
  void stopOnLoss(FailStop failStop) {
    if (lease != null) {
      lease.onLost(why -> failStop.trip(new IllegalStateException(why)));
    }
  }

  /** After the startup pass: take over and recover dead peers. */
  void recoverPeers(PeerTakeover takeover) {
    if (lease != null) {
      lease.recoverPeers(takeover);
    }
  }

  /** {@return whether this TM is in a cluster} */
  boolean active() {
    return lease != null;
  }

  /**
   * Last step of close, after the log is closed: releases the lease, or leaves it to expire when
   * {@code unfinished} (see {@link #leavesWorkForAPeer}).
   */
  void close(boolean unfinished) {
    if (lease == null) {
      return;
    }
    if (unfinished) {
      lease.abandon();
    } else {
      lease.close(); // nothing decides any more, the next holder need not wait
    }
  }

  /**
   * Whether the node leaves transactions a peer must finish: decided but not ended, begun but not
   * ended, kept in doubt, or not settled with the mirror. Then its lease is left to expire, so that
   * a peer takes the node id over (a pod stopped for good with its volume deleted); a released
   * lease is never taken over. Read before the log is closed.
   */
  boolean leavesWorkForAPeer(TxLog log) {
    if (lease == null) {
      return false;
    }
    LogState s = log.current();
    boolean unsettled = log instanceof MirroringTxLog m && m.unsettledCount() > 0;
    boolean open =
        unsettled
            || !s.decided().isEmpty()
            || !s.begunOnly().isEmpty()
            || !s.keptInDoubt().isEmpty();
    if (open) {
      LOG.log(
          Level.WARNING,
          "closing with unfinished transactions ("
              + s.decided().size()
              + " decided, "
              + s.begunOnly().size()
              + " begun, "
              + s.keptInDoubt().size()
              + " kept in doubt"
              + (unsettled ? ", some not settled with the cluster mirror" : "")
              + "): the lease on node id "
              + log.nodeId()
              + " is left to expire, so that a peer takes it over and finishes them unless this"
              + " node starts again first");
    }
    return open;
  }
}
