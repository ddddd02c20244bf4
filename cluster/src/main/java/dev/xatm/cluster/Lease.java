package dev.xatm.cluster;

import java.time.Duration;
import java.time.Instant;

/**
 * One row of the lease table as an operator sees it (docs/cluster.md), read with the database's
 * clock.
 *
 * @param nodeId the node id
 * @param epoch its lease epoch (incremented at every acquisition or takeover)
 * @param holder host, pid and start time of the process that took it
 * @param logId the identity of the holder's log
 * @param expiresAt when the lease expires, by the database's clock
 * @param released whether its holder gave it up
 * @param databaseNow the database's clock when the row was read
 * @param takenOverBy the peer that took the node id over to recover it (while it does, and after it
 *     released it), or {@code null}
 */
public record Lease(
    String nodeId,
    long epoch,
    String holder,
    long logId,
    Instant expiresAt,
    boolean released,
    Instant databaseNow,
    String takenOverBy) {

  /** {@return whether a claim may take it now: released, or expired by the database's clock} */
  public boolean free() {
    return released || expiresAt.isBefore(databaseNow);
  }

  /** {@return {@code held}, {@code expired} or {@code released}, by the database's clock} */
  public String state() {
    if (released) {
      return "released";
    }
    return expiresAt.isBefore(databaseNow) ? "expired" : "held";
  }

  /** {@return the holder, epoch, log id and expiry, for messages} */
  @Override
  public String toString() {
    return (takenOverBy == null ? holder : "peer " + takenOverBy + ", recovering " + holder)
        + " (lease epoch "
        + epoch
        + ", log id "
        + Long.toHexString(logId)
        + (released ? ", released" : ", expires " + expiresAt)
        + ")";
  }

  /** {@return how long until it expires (negative: since it expired)} */
  public Duration untilExpiry() {
    return Duration.between(databaseNow, expiresAt);
  }
}
