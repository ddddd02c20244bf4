package dev.xatm.jdbc;

import dev.xatm.config.Setting;
import dev.xatm.config.SettingsTable;
import java.time.Duration;

/**
 * The settings table of a {@code jdbc:xa:} pool (issue 12): each key, type, default and doc. They
 * are given per DataSource, as URL parameters ({@code
 * jdbc:xa:postgresql://db/bank?xatm.pool.max-size=20&xatm.pool.acquire-timeout=2s}), driver or
 * {@link XatmDataSource#fromProperties} properties (with or without the {@code xatm.} prefix), or
 * in Spring Boot under the DataSource's prefix ({@code xatm.datasources.bank.max-size}); never in
 * {@code xatm.properties} or {@code XATM_*}, which configure the transaction manager.
 *
 * <p>The {@code acquireTimeoutMs}-style names of earlier versions are accepted for this release
 * with a WARNING naming the new key and value ({@code xatm.acquireTimeoutMs=5000} becomes {@code
 * xatm.pool.acquire-timeout=5000ms}); the next release refuses them.
 */
public final class PoolSettings {
  private PoolSettings() {}

  private static final SettingsTable.Errors ERRORS =
      new SettingsTable.Errors() {
        @Override
        public RuntimeException invalid(String key, String value, String reason) {
          return new IllegalArgumentException(key + " = '" + value + "' is invalid: " + reason);
        }

        @Override
        public RuntimeException unknown(String key, String reason) {
          return new IllegalArgumentException(key + " is invalid: " + reason);
        }
      };

  /** {@code xatm.pool.max-size}: physical connections open at once; default 10, at least 1. */
  public static final Setting<Integer> MAX_SIZE =
      Setting.integer(
          "xatm.pool.max-size",
          10,
          1,
          Integer.MAX_VALUE,
          "physical connections open at once (borrowed + idle + being opened)");

  /**
   * {@code xatm.pool.acquire-timeout}: how long {@code getConnection} waits for a free connection
   * before it throws {@code SQLTransientConnectionException}; default 30 s.
   */
  public static final Setting<Duration> ACQUIRE_TIMEOUT =
      Setting.duration(
          "xatm.pool.acquire-timeout",
          Duration.ofSeconds(30),
          "wait for a free connection, then `SQLTransientConnectionException`");

  /**
   * {@code xatm.pool.idle-timeout}: idle connections are closed after this; default 10 min, {@code
   * 0} never.
   */
  public static final Setting<Duration> IDLE_TIMEOUT =
      Setting.duration(
          "xatm.pool.idle-timeout",
          Duration.ofMinutes(10),
          "close connections idle this long; `0` = never");

  /**
   * {@code xatm.pool.max-lifetime}: connections this old are retired when idle or on return;
   * default 30 min, {@code 0} never.
   */
  public static final Setting<Duration> MAX_LIFETIME =
      Setting.duration(
          "xatm.pool.max-lifetime",
          Duration.ofMinutes(30),
          "retire connections this old (idle ones, or on return); `0` = never");

  /**
   * {@code xatm.pool.leak-detection-threshold}: a connection borrowed longer is logged at WARNING
   * with the borrower's stack; default {@code 0}, off.
   */
  public static final Setting<Duration> LEAK_DETECTION_THRESHOLD =
      Setting.duration(
          "xatm.pool.leak-detection-threshold",
          Duration.ZERO,
          "log a WARNING with the borrower's stack when a connection is held longer; `0` = off");

  /**
   * {@code xatm.pool.validation-timeout}: the bound of the {@code isValid} check made on a
   * connection idle for more than 500 ms before it is handed out; default 5 s.
   */
  public static final Setting<Duration> VALIDATION_TIMEOUT =
      Setting.duration(
          "xatm.pool.validation-timeout",
          Duration.ofSeconds(5),
          "bound of `isValid` on a connection idle for more than 500 ms");

  /**
   * {@code xatm.pool.housekeeping-period}: how often the idle, lifetime and leak checks run;
   * default 30 s, {@code 0} only when {@link XatmDataSource#runHousekeeping()} is called.
   */
  public static final Setting<Duration> HOUSEKEEPING_PERIOD =
      Setting.duration(
          "xatm.pool.housekeeping-period",
          Duration.ofSeconds(30),
          "how often idle/lifetime/leak checks run; `0` = only `runHousekeeping()`");

  /** The table, with the old names as aliases for one release. */
  public static final SettingsTable TABLE =
      SettingsTable.builder("xatm.", ERRORS)
          .add(MAX_SIZE, ACQUIRE_TIMEOUT, IDLE_TIMEOUT, MAX_LIFETIME)
          .add(LEAK_DETECTION_THRESHOLD, VALIDATION_TIMEOUT, HOUSEKEEPING_PERIOD)
          .withoutEnvironment()
          .alias("xatm.maxPoolSize", MAX_SIZE, v -> v)
          .alias("xatm.acquireTimeoutMs", ACQUIRE_TIMEOUT, PoolSettings::millis)
          .alias("xatm.idleTimeoutMs", IDLE_TIMEOUT, PoolSettings::millis)
          .alias("xatm.maxLifetimeMs", MAX_LIFETIME, PoolSettings::millis)
          .alias("xatm.leakDetectionThresholdMs", LEAK_DETECTION_THRESHOLD, PoolSettings::millis)
          .alias("xatm.validationTimeoutMs", VALIDATION_TIMEOUT, PoolSettings::millis)
          .alias("xatm.housekeepingPeriodMs", HOUSEKEEPING_PERIOD, PoolSettings::millis)
          .build();

  /** An old {@code ...Ms} value (a bare number of milliseconds) in the new syntax. */
  private static String millis(String v) {
    return v.chars().allMatch(Character::isDigit) && !v.isEmpty() ? v + "ms" : v;
  }
}
