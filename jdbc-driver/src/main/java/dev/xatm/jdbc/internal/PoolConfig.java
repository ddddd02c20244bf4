package dev.xatm.jdbc.internal;

import dev.xatm.config.Setting;
import dev.xatm.config.SettingsTable;
import dev.xatm.jdbc.PoolSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Pool settings ({@link PoolSettings} has their keys, defaults and docs), validated once. Durations
 * of zero switch the feature off where noted.
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

  /** Idle connections younger than this are handed out without an {@code isValid} round trip. */
  static final Duration VALIDATION_BYPASS = Duration.ofMillis(500);

  public PoolConfig {
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException(
          PoolSettings.MAX_SIZE.key() + " must be >= 1, was " + maxPoolSize);
    }
    requireNonNegative(PoolSettings.ACQUIRE_TIMEOUT, acquireTimeout);
    requireNonNegative(PoolSettings.IDLE_TIMEOUT, idleTimeout);
    requireNonNegative(PoolSettings.MAX_LIFETIME, maxLifetime);
    requireNonNegative(PoolSettings.LEAK_DETECTION_THRESHOLD, leakDetectionThreshold);
    requireNonNegative(PoolSettings.VALIDATION_TIMEOUT, validationTimeout);
    requireNonNegative(PoolSettings.HOUSEKEEPING_PERIOD, housekeepingPeriod);
    if (nanoClock == null) {
      throw new IllegalArgumentException("nanoClock must not be null");
    }
  }

  /** The table's defaults ({@link PoolSettings}). */
  public static PoolConfig defaults() {
    return new PoolConfig(
        PoolSettings.MAX_SIZE.defaultValue(),
        PoolSettings.ACQUIRE_TIMEOUT.defaultValue(),
        PoolSettings.IDLE_TIMEOUT.defaultValue(),
        PoolSettings.MAX_LIFETIME.defaultValue(),
        PoolSettings.LEAK_DETECTION_THRESHOLD.defaultValue(),
        PoolSettings.VALIDATION_TIMEOUT.defaultValue(),
        PoolSettings.HOUSEKEEPING_PERIOD.defaultValue(),
        System::nanoTime);
  }

  /**
   * This configuration with the given settings applied: keys of {@link PoolSettings}, with or
   * without the {@code xatm.} prefix ({@code pool.max-size}, {@code xatm.pool.max-size}); the old
   * {@code acquireTimeoutMs}-style names with a WARNING.
   *
   * @throws IllegalArgumentException an unknown key (naming the nearest known one) or a bad value
   */
  public PoolConfig with(Map<String, String> settings) {
    SettingsTable table = PoolSettings.TABLE;
    Map<String, String> prefixed = new LinkedHashMap<>();
    settings.forEach(
        (k, v) -> prefixed.put(k.startsWith(table.namespace()) ? k : table.namespace() + k, v));
    PoolConfig c = this;
    for (Map.Entry<String, String> e : table.canonical(prefixed, "pool settings").entrySet()) {
      String key = e.getKey();
      String v = e.getValue();
      Setting<?> s = table.find(key);
      if (s == PoolSettings.MAX_SIZE) {
        c = c.withMaxPoolSize(table.value(PoolSettings.MAX_SIZE, key, v));
      } else if (s == PoolSettings.ACQUIRE_TIMEOUT) {
        c = c.withAcquireTimeout(table.value(PoolSettings.ACQUIRE_TIMEOUT, key, v));
      } else if (s == PoolSettings.IDLE_TIMEOUT) {
        c = c.withIdleTimeout(table.value(PoolSettings.IDLE_TIMEOUT, key, v));
      } else if (s == PoolSettings.MAX_LIFETIME) {
        c = c.withMaxLifetime(table.value(PoolSettings.MAX_LIFETIME, key, v));
      } else if (s == PoolSettings.LEAK_DETECTION_THRESHOLD) {
        c =
            c.withLeakDetectionThreshold(
                table.value(PoolSettings.LEAK_DETECTION_THRESHOLD, key, v));
      } else if (s == PoolSettings.VALIDATION_TIMEOUT) {
        c = c.withValidationTimeout(table.value(PoolSettings.VALIDATION_TIMEOUT, key, v));
      } else if (s == PoolSettings.HOUSEKEEPING_PERIOD) {
        c = c.withHousekeepingPeriod(table.value(PoolSettings.HOUSEKEEPING_PERIOD, key, v));
      } else {
        throw table.unknown(key, "pool settings");
      }
    }
    return c;
  }

  private static void requireNonNegative(Setting<Duration> s, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(s.key() + " must be >= 0, was " + d);
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
