package dev.xatm.jdbc.internal;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Pool settings, validated once. Durations of zero switch the feature off where noted.
 *
 * @param maxPoolSize most physical connections open at once (in use, idle or being opened)
 * @param acquireTimeout how long {@code getConnection} or a first use inside a transaction waits
 *     for a free connection before failing with the pool's numbers
 * @param idleTimeout idle connections older than this are closed; zero: never
 * @param maxLifetime connections are retired after this age (when idle or on return); zero: never
 * @param leakDetectionThreshold a connection borrowed longer than this is reported with the
 *     borrower's stack; zero: off
 * @param validationTimeout bound for {@code isValid} on a connection that sat idle
 * @param housekeepingPeriod how often idle, lifetime and leak checks run; zero: only when {@link
 *     XaPool#runHousekeeping()} is called (tests)
 * @param nanoClock time source for every timestamp of the pool (acquire waits use the lock's own
 *     timed wait)
 */
public record PoolConfig(
    int maxPoolSize,
    Duration acquireTimeout,
    Duration idleTimeout,
    Duration maxLifetime,
    Duration leakDetectionThreshold,
    Duration validationTimeout,
    Duration housekeepingPeriod,
    LongSupplier nanoClock) {

  /** Names of the settings, as URL parameters (with the {@code xatm.} prefix) or properties. */
  public static final String MAX_POOL_SIZE = "maxPoolSize";

  public static final String ACQUIRE_TIMEOUT_MS = "acquireTimeoutMs";
  public static final String IDLE_TIMEOUT_MS = "idleTimeoutMs";
  public static final String MAX_LIFETIME_MS = "maxLifetimeMs";
  public static final String LEAK_DETECTION_THRESHOLD_MS = "leakDetectionThresholdMs";
  public static final String VALIDATION_TIMEOUT_MS = "validationTimeoutMs";
  public static final String HOUSEKEEPING_PERIOD_MS = "housekeepingPeriodMs";

  /** Idle connections younger than this are handed out without an {@code isValid} round trip. */
  static final Duration VALIDATION_BYPASS = Duration.ofMillis(500);

  public PoolConfig {
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException(MAX_POOL_SIZE + " must be >= 1, was " + maxPoolSize);
    }
    requireNonNegative(ACQUIRE_TIMEOUT_MS, acquireTimeout);
    requireNonNegative(IDLE_TIMEOUT_MS, idleTimeout);
    requireNonNegative(MAX_LIFETIME_MS, maxLifetime);
    requireNonNegative(LEAK_DETECTION_THRESHOLD_MS, leakDetectionThreshold);
    requireNonNegative(VALIDATION_TIMEOUT_MS, validationTimeout);
    requireNonNegative(HOUSEKEEPING_PERIOD_MS, housekeepingPeriod);
    if (nanoClock == null) {
      throw new IllegalArgumentException("nanoClock must not be null");
    }
  }

  public static PoolConfig defaults() {
    return new PoolConfig(
        10,
        Duration.ofSeconds(30),
        Duration.ofMinutes(10),
        Duration.ofMinutes(30),
        Duration.ZERO,
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        System::nanoTime);
  }

  /**
   * These defaults with the given settings applied (keys as in the constants above).
   *
   * @throws IllegalArgumentException an unknown key or a bad value; the message names both
   */
  public PoolConfig with(Map<String, String> settings) {
    PoolConfig c = this;
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      c =
          switch (key) {
            case MAX_POOL_SIZE -> c.withMaxPoolSize((int) number(key, value));
            case ACQUIRE_TIMEOUT_MS -> c.withAcquireTimeout(millis(key, value));
            case IDLE_TIMEOUT_MS -> c.withIdleTimeout(millis(key, value));
            case MAX_LIFETIME_MS -> c.withMaxLifetime(millis(key, value));
            case LEAK_DETECTION_THRESHOLD_MS -> c.withLeakDetectionThreshold(millis(key, value));
            case VALIDATION_TIMEOUT_MS -> c.withValidationTimeout(millis(key, value));
            case HOUSEKEEPING_PERIOD_MS -> c.withHousekeepingPeriod(millis(key, value));
            default ->
                throw new IllegalArgumentException(
                    "unknown xatm pool setting '"
                        + key
                        + "'; known: "
                        + String.join(
                            ", ",
                            MAX_POOL_SIZE,
                            ACQUIRE_TIMEOUT_MS,
                            IDLE_TIMEOUT_MS,
                            MAX_LIFETIME_MS,
                            LEAK_DETECTION_THRESHOLD_MS,
                            VALIDATION_TIMEOUT_MS,
                            HOUSEKEEPING_PERIOD_MS));
          };
    }
    return c;
  }

  private static long number(String key, String value) {
    try {
      long v = Long.parseLong(value.trim());
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(key + " must be between 0 and 2^31-1, was " + value);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, was '" + value + "'", e);
    }
  }

  private static Duration millis(String key, String value) {
    return Duration.ofMillis(number(key, value));
  }

  private static void requireNonNegative(String name, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + d);
    }
  }

  public PoolConfig withMaxPoolSize(int v) {
    return new PoolConfig(
        v,
        acquireTimeout,
        idleTimeout,
        maxLifetime,
        leakDetectionThreshold,
        validationTimeout,
        housekeepingPeriod,
        nanoClock);
  }

  public PoolConfig withAcquireTimeout(Duration v) {
    return new PoolConfig(
        maxPoolSize,
        v,
        idleTimeout,
        maxLifetime,
        leakDetectionThreshold,
        validationTimeout,
        housekeepingPeriod,
        nanoClock);
  }

  public PoolConfig withIdleTimeout(Duration v) {
    return new PoolConfig(
        maxPoolSize,
        acquireTimeout,
        v,
        maxLifetime,
        leakDetectionThreshold,
        validationTimeout,
        housekeepingPeriod,
        nanoClock);
  }

  public PoolConfig withMaxLifetime(Duration v) {
    return new PoolConfig(
        maxPoolSize,
        acquireTimeout,
        idleTimeout,
        v,
        leakDetectionThreshold,
        validationTimeout,
        housekeepingPeriod,
        nanoClock);
  }

  public PoolConfig withLeakDetectionThreshold(Duration v) {
    return new PoolConfig(
        maxPoolSize,
        acquireTimeout,
        idleTimeout,
        maxLifetime,
        v,
        validationTimeout,
        housekeepingPeriod,
        nanoClock);
  }

  public PoolConfig withValidationTimeout(Duration v) {
    return new PoolConfig(
        maxPoolSize,
        acquireTimeout,
        idleTimeout,
        maxLifetime,
        leakDetectionThreshold,
        v,
        housekeepingPeriod,
        nanoClock);
  }

  public PoolConfig withHousekeepingPeriod(Duration v) {
    return new PoolConfig(
        maxPoolSize,
        acquireTimeout,
        idleTimeout,
        maxLifetime,
        leakDetectionThreshold,
        validationTimeout,
        v,
        nanoClock);
  }

  public PoolConfig withNanoClock(LongSupplier v) {
    return new PoolConfig(
        maxPoolSize,
        acquireTimeout,
        idleTimeout,
        maxLifetime,
        leakDetectionThreshold,
        validationTimeout,
        housekeepingPeriod,
        v);
  }
}
