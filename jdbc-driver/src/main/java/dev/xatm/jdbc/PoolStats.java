package dev.xatm.jdbc;

/**
 * A snapshot of one pool.
 *
 * @param total physical connections open or being opened
 * @param active connections borrowed (by a local connection or a transaction branch)
 * @param idle connections waiting in the pool
 * @param waiting threads waiting for a connection
 * @param maxPoolSize the bound on {@code total}
 * @param created physical connections opened since the pool started
 * @param destroyed physical connections closed since the pool started
 * @param evictedBroken connections closed because an error said they were broken
 * @param leaksDetected borrows reported as possible leaks
 * @param acquireTimeouts {@code getConnection} calls that timed out
 */
public record PoolStats(
    int total,
    int active,
    int idle,
    int waiting,
    int maxPoolSize,
    long created,
    long destroyed,
    long evictedBroken,
    long leaksDetected,
    long acquireTimeouts) {

  @Override
  public String toString() {
    return "total="
        + total
        + ", active="
        + active
        + ", idle="
        + idle
        + ", waiting="
        + waiting
        + ", max="
        + maxPoolSize;
  }
}
