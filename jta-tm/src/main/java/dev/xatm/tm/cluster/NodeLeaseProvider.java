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

  /**
   * Acquires the first free node id of {@code config.nodeIds()} (no lease, released, or expired),
   * for a node whose log directory is new: its log is then created with that node id, and {@link
   * NodeLease#bindLog} records the log's identity.
   *
   * @param config the parsed {@code xatm.cluster.*} settings, with a pool of node ids
   * @param holder who asks: host, pid and start time
   * @param clock the TM's clock
   * @return the held lease, already being renewed
   * @throws XatmStartupException every node id of the pool is held (the message names the holders),
   *     or the lease table cannot be reached or created
   */
  NodeLease acquireFree(ClusterConfig config, String holder, Clock clock);
}
