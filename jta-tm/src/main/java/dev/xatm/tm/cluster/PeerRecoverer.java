package dev.xatm.tm.cluster;

/**
 * What a live node does for a node whose lease it took over (docs/cluster.md, "Takeover"): runs
 * recovery for that node id and log identity, with the mirror as the log. Given by the TM to {@link
 * NodeLease#recoverPeers}.
 */
@FunctionalInterface
public interface PeerRecoverer {
  /**
   * Recovers the dead node's prepared Xids: commits what its mirror decided, presumes abort for the
   * rest, touches no other Xid.
   *
   * @param nodeId the dead node's id
   * @param logId its log's identity
   * @param mirror its mirror, written under the takeover's epoch
   * @return true when nothing is left to do (every resource reached, nothing kept in doubt): the
   *     lease may be released
   */
  boolean recover(String nodeId, long logId, DecisionMirror mirror);
}
