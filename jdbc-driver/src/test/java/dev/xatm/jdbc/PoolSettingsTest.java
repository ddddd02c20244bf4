package dev.xatm.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.internal.PoolConfig;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The pool's settings come from {@link PoolSettings}: one syntax, one unknown-key policy. */
class PoolSettingsTest {
  @Test
  void defaultsAreTheTables() {
    PoolConfig d = PoolConfig.defaults();
    assertEquals(PoolSettings.MAX_SIZE.defaultValue(), d.maxPoolSize());
    assertEquals(PoolSettings.ACQUIRE_TIMEOUT.defaultValue(), d.acquireTimeout());
    assertEquals(PoolSettings.HOUSEKEEPING_PERIOD.defaultValue(), d.housekeepingPeriod());
  }

  @Test
  void newKeysTakeTheCommonDurationSyntax() {
    PoolConfig c =
        PoolConfig.defaults()
            .with(
                Map.of(
                    "pool.max-size", "3",
                    "pool.acquire-timeout", "2s",
                    "xatm.pool.idle-timeout", "5m",
                    "pool.leak-detection-threshold", "1500ms",
                    "pool.housekeeping-period", "0"));
    assertEquals(3, c.maxPoolSize());
    assertEquals(Duration.ofSeconds(2), c.acquireTimeout());
    assertEquals(Duration.ofMinutes(5), c.idleTimeout());
    assertEquals(Duration.ofMillis(1500), c.leakDetectionThreshold());
    assertEquals(Duration.ZERO, c.housekeepingPeriod());
  }

  @Test
  void aBareNumberIsRefusedBecauseItsUnitIsAmbiguous() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PoolConfig.defaults().with(Map.of("pool.acquire-timeout", "5000")));
    assertTrue(e.getMessage().contains("xatm.pool.acquire-timeout"), e.getMessage());
    assertTrue(e.getMessage().contains("needs a unit"), e.getMessage());
  }

  @Test
  void oldSpellingIsAcceptedThisReleaseWithAWarningNamingTheNewKey() {
    List<LogRecord> records = new ArrayList<>();
    Logger log = Logger.getLogger("dev.xatm.config.SettingsTable");
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(h);
    try {
      PoolConfig c =
          PoolConfig.defaults().with(Map.of("acquireTimeoutMs", "5000", "maxPoolSize", "4"));
      assertEquals(Duration.ofMillis(5000), c.acquireTimeout());
      assertEquals(4, c.maxPoolSize());
    } finally {
      log.removeHandler(h);
    }
    assertTrue(
        records.stream()
            .anyMatch(
                r ->
                    r.getLevel() == Level.WARNING
                        && r.getMessage().contains("xatm.acquireTimeoutMs")
                        && r.getMessage().contains("xatm.pool.acquire-timeout=5000ms")),
        "warnings: " + records.stream().map(LogRecord::getMessage).toList());
  }

  @Test
  void aTypoFailsNamingTheNearestKey() throws Exception {
    H2Fixture db = new H2Fixture();
    SQLException e =
        assertThrows(
            SQLException.class,
            () ->
                XatmDataSource.builder()
                    .url(db.xaUrl + ";xatm.pool.max-sise=3")
                    .jvmDefaultRuntime()
                    .build());
    assertEquals("22023", e.getSQLState());
    assertTrue(e.getMessage().contains("did you mean xatm.pool.max-size?"), e.getMessage());
    SQLException f =
        assertThrows(
            SQLException.class,
            () ->
                XatmDataSource.builder()
                    .url(db.xaUrl)
                    .setting("pool.aquire-timeout", "2s")
                    .jvmDefaultRuntime()
                    .build());
    assertTrue(f.getMessage().contains("did you mean xatm.pool.acquire-timeout?"), f.getMessage());
  }
}
