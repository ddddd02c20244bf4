package dev.xatm.tm.cluster;

import java.util.Objects;

/**
 * What a starting TM asks the lease table for.
 *
 * @param nodeId the node id whose lease it needs (the log directory's)
 * @param logId the identity of its log, recorded with the lease (a process that starts again on the
 *     same log is the holder's own next incarnation; one on another log is a second process)
 * @param holder who asks, for messages: host, pid and start time
 */
public record LeaseClaim(String nodeId, long logId, String holder) {
  /**
   * Checks that nothing is missing.
   *
   * @param nodeId the node id
   * @param logId the log's identity
   * @param holder who asks
   */
  public LeaseClaim {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(holder, "holder");
  }
}
