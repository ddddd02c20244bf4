package dev.xatm.tm.cluster;

import dev.xatm.tm.XatmStartupException;
import java.time.Clock;

/**
 * Acquires node-id leases from a lease table (the {@code xatm-cluster} module's implementation is
 * found through {@link java.util.ServiceLoader} when {@code xatm.cluster.url} is set).
 */
public interface NodeLeaseProvider {
  /**
   * Acquires the lease on {@code claim.nodeId()}, creating the table if it is absent. When the
   * lease is held by this node id's previous incarnation on the same log (a crash, then a start),
   * waits for it to expire, at most {@code lease-duration} and a little more.
   *
   * @param config the parsed {@code xatm.cluster.*} settings
   * @param claim the node id, the log's identity and who asks
   * @param clock the TM's clock
   * @return the held lease, already being renewed
   * @throws XatmStartupException another process holds the lease (the message names it and when the
   *     lease expires), or the lease table cannot be reached or created (the message names the URL,
   *     without a password, and the cause)
   */
  NodeLease acquire(ClusterConfig config, LeaseClaim claim, Clock clock);
}
