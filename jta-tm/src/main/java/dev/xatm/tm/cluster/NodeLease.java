package dev.xatm.tm.cluster;

/**
 * A held lease on one node id: renewed in the background until {@link #close()} releases it.
 *
 * <p>Threading: every method may be called from any thread; {@link #mayDecide()} is on the commit
 * path and costs a volatile read and a clock read.
 */
public interface NodeLease extends AutoCloseable {
  /** {@return the node id this lease is on} */
  String nodeId();

  /**
   * Records the identity of the log created for a node id taken from the pool ({@link
   * NodeLeaseProvider#acquireFree}), before anything is mirrored.
   *
   * @param logId the new log's identity
   * @throws dev.xatm.tm.XatmStartupException the lease table cannot be written, or the lease is no
   *     longer this holder's
   */
  void bindLog(long logId);

  /** {@return the lease epoch this holder got} Every acquisition or takeover increments it. */
  long epoch();

  /**
   * Whether this holder may make a commit decision now: the last successful renewal began less than
   * {@code lease-duration - fence-margin} ago and the lease was not lost.
   *
   * @return true when it may
   */
  boolean mayDecide();

  /** {@return why {@link #mayDecide()} is false (what failed since when), or {@code null}} */
  String fencedBecause();

  /**
   * Called once, from the renewal thread, when the lease is found held by someone else (taken over
   * after it expired, or released by an operator): this process must stop for good. A handler added
   * after that is called at once.
   *
   * @param handler receives why
   */
  void onLost(java.util.function.Consumer<String> handler);

  /**
   * {@return the decision mirror of this holder's log, written under this lease's epoch} The same
   * object on every call.
   */
  DecisionMirror mirror();

  /**
   * Starts watching the other node ids' leases: once one has expired (by the database's clock, and
   * {@code fence-margin} more), takes it over (bumping its epoch, which fences its old holder) and
   * calls {@code recoverer} for it, again every renewal interval until it returns true; then
   * releases it. Called once, after the startup recovery pass.
   *
   * @param recoverer runs recovery for a taken-over node id
   */
  void recoverPeers(PeerRecoverer recoverer);

  /**
   * Stops renewing and leaves the lease to expire: a node that closes with unfinished transactions,
   * so that a peer takes the node id over and finishes them.
   */
  void abandon();

  /** Stops renewing and releases the lease at once (the next holder need not wait for expiry). */
  @Override
  void close();
}
