package dev.xatm.jdbc;

import static dev.xatm.jdbc.H2Fixture.insert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.testing.FakeTransactionManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PoolTest {
  private final FakeTransactionManager tm = new FakeTransactionManager();
  private final List<XatmDataSource> toClose = new ArrayList<>();

  @AfterEach
  void closePools() {
    toClose.forEach(XatmDataSource::close);
  }

  private XatmDataSource build(XatmDataSource.Builder b) throws SQLException {
    XatmDataSource ds = b.build();
    toClose.add(ds);
    return ds;
  }

  @Test
  void exhaustedPoolTimesOutWithItsNumbers() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = build(db.pool(tm).maxPoolSize(2).acquireTimeout(Duration.ofMillis(200)));
    try (Connection c1 = ds.getConnection();
        Connection c2 = ds.getConnection()) {
      SQLTransientConnectionException e =
          assertThrows(SQLTransientConnectionException.class, ds::getConnection);
      assertEquals("08001", e.getSQLState());
      String m = e.getMessage();
      for (String part :
          new String[] {"200 ms", "total=2", "active=2", "idle=0", "waiting=0", "maxPoolSize=2"}) {
        assertTrue(m.contains(part), part + " missing in: " + m);
      }
      assertTrue(m.contains("jdbc:xa:h2:mem:" + db.name), m);
      assertEquals(1, ds.stats().acquireTimeouts());
    }
  }

  @Test
  void waiterGetsTheNextReturnedConnection() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = build(db.pool(tm).maxPoolSize(1).acquireTimeout(Duration.ofSeconds(20)));
    Connection held = ds.getConnection();
    CompletableFuture<Connection> waiter =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return ds.getConnection();
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            });
    while (ds.stats().waiting() == 0) {
      Thread.onSpinWait(); // the waiter registers under the pool lock; no timing involved
    }
    held.close();
    try (Connection c = waiter.get(10, TimeUnit.SECONDS)) {
      insert(c, 1);
    }
    assertEquals(1, ds.stats().created(), "the one physical connection was handed over");
  }

  @Test
  void physicalConnectionsAreReused() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = build(db.pool(tm));
    for (int i = 0; i < 10; i++) {
      try (Connection c = ds.getConnection()) {
        insert(c, i);
      }
      db.advance(Duration.ofSeconds(1)); // past the validation bypass: isValid runs each time
    }
    assertEquals(1, ds.stats().created());
    assertEquals(10, db.count());
  }

  @Test
  void idleTimeoutClosesIdleConnections() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = build(db.pool(tm).idleTimeout(Duration.ofSeconds(10)));
    Connection a = ds.getConnection();
    Connection b = ds.getConnection();
    a.close();
    db.advance(Duration.ofSeconds(5));
    ds.runHousekeeping();
    assertEquals(2, ds.stats().total(), "not idle long enough yet");
    db.advance(Duration.ofSeconds(6));
    ds.runHousekeeping();
    assertEquals(1, ds.stats().total(), "idle one closed, borrowed one kept");
    assertEquals(1, ds.stats().active());
    b.close();
    assertEquals(1, ds.stats().idle());
  }

  @Test
  void maxLifetimeRetiresConnections() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds =
        build(db.pool(tm).maxLifetime(Duration.ofSeconds(60)).idleTimeout(Duration.ZERO));
    try (Connection c = ds.getConnection()) {
      insert(c, 1);
      db.advance(Duration.ofSeconds(61));
    }
    assertEquals(0, ds.stats().total(), "retired on return once past its lifetime");
    try (Connection c = ds.getConnection()) {
      insert(c, 2);
    }
    db.advance(Duration.ofSeconds(61));
    ds.runHousekeeping();
    assertEquals(0, ds.stats().total(), "idle connection past its lifetime retired");
    assertEquals(2, ds.stats().created());
    assertEquals(2, ds.stats().destroyed());
  }

  @Test
  void brokenIdleConnectionIsEvictedOnBorrow() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = build(db.pool(tm));
    try (Connection c = ds.getConnection()) {
      insert(c, 1);
    }
    db.exec("shutdown"); // closes every session of the in-memory database
    db.advance(Duration.ofSeconds(1));
    try (Connection c = ds.getConnection()) {
      assertTrue(c.isValid(1));
    }
    assertEquals(1, ds.stats().evictedBroken());
    assertEquals(2, ds.stats().created());
  }

  @Test
  void leakDetectionReportsTheBorrowersStackOnce() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = build(db.pool(tm).leakDetectionThreshold(Duration.ofSeconds(5)));
    List<LogRecord> records = new ArrayList<>();
    Logger log = Logger.getLogger("dev.xatm.jdbc.pool");
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            synchronized (records) {
              records.add(r);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(h);
    try {
      Connection leaked = leakyBorrower(ds);
      db.advance(Duration.ofSeconds(4));
      ds.runHousekeeping();
      assertEquals(0, ds.stats().leaksDetected(), "below the threshold");
      db.advance(Duration.ofSeconds(2));
      ds.runHousekeeping();
      ds.runHousekeeping();
      assertEquals(1, ds.stats().leaksDetected(), "reported once");
      LogRecord warning =
          records.stream().filter(r -> r.getLevel() == Level.WARNING).findFirst().orElseThrow();
      assertTrue(warning.getMessage().contains("possible connection leak"), warning.getMessage());
      assertNotNull(warning.getThrown(), "the borrower's stack");
      assertTrue(
          Arrays.stream(warning.getThrown().getStackTrace())
              .anyMatch(f -> f.getMethodName().equals("leakyBorrower")),
          "stack names the borrowing method");
      leaked.close();
      assertTrue(records.stream().anyMatch(r -> r.getLevel() == Level.INFO));
    } finally {
      log.removeHandler(h);
    }
  }

  private static Connection leakyBorrower(XatmDataSource ds) throws SQLException {
    return ds.getConnection();
  }

  @Test
  void closeShutsDownIdleNowAndBorrowedOnReturn() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmDataSource ds = build(db.pool(tm));
    Connection held = ds.getConnection();
    ds.getConnection().close();
    assertEquals(2, ds.stats().total());
    ds.close();
    assertEquals(1, ds.stats().total(), "idle closed at once");
    SQLException e = assertThrows(SQLException.class, ds::getConnection);
    assertEquals("08003", e.getSQLState());
    insert(held, 1); // still usable until returned
    held.close();
    assertEquals(0, ds.stats().total());
    assertEquals(2, ds.stats().destroyed());
  }

  @Test
  void aDataSourceThatCannotConnectHoldsNoThread() throws Exception {
    H2Fixture db = new H2Fixture();
    long before =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().equals("xatm-pool-housekeeper"))
            .count();
    XatmDataSource ds =
        build(
            db.pool(tm)
                .url(db.xaUrl + ";NO_SUCH_SETTING=1")
                .housekeepingPeriod(Duration.ofSeconds(30)));
    for (int i = 0; i < 5; i++) {
      assertThrows(SQLException.class, ds::getConnection);
    }
    long after =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().equals("xatm-pool-housekeeper"))
            .count();
    assertEquals(before, after, "no housekeeper for a pool without connections");
    assertEquals(0, ds.stats().total());
    assertEquals(false, ds.isClosed(), "a DataSource keeps its pool for when the server is up");
  }

  @Test
  void badPoolSettingNamesTheSetting() throws Exception {
    H2Fixture db = new H2Fixture();
    SQLException e =
        assertThrows(
            SQLException.class,
            () ->
                XatmDataSource.builder()
                    .url(db.xaUrl + ";xatm.pool.max-size=zero")
                    .transactionManager(tm)
                    .build());
    assertEquals("22023", e.getSQLState());
    assertTrue(e.getMessage().contains("xatm.pool.max-size"), e.getMessage());
  }
}
