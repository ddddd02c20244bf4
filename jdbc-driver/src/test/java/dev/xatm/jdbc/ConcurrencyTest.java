package dev.xatm.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.testing.FakeTransactionManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** 64 threads, one pool of 8: local work, commits, rollbacks and shared branches mixed. */
class ConcurrencyTest {

  @Test
  void sixtyFourThreadsShareOnePoolAndLeaveNothingBehind() throws Exception {
    long seed = Long.getLong("xatm.seed", System.nanoTime());
    System.out.println("ConcurrencyTest seed=" + seed + " (rerun with -Dxatm.seed=" + seed + ")");
    FakeTransactionManager tm = new FakeTransactionManager();
    H2Fixture db = new H2Fixture();
    int threads = 64;
    int rounds = 25;
    AtomicInteger ids = new AtomicInteger();
    AtomicInteger expected = new AtomicInteger();
    try (XatmDataSource ds =
        XatmDataSource.builder()
            .url(db.xaUrl)
            .user("sa")
            .transactionManager(tm)
            .maxPoolSize(8)
            .acquireTimeout(Duration.ofSeconds(30))
            .housekeepingPeriod(Duration.ZERO)
            .build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Random random = new Random(seed + t);
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int r = 0; r < rounds; r++) {
                    int kind = random.nextInt(4);
                    if (kind == 0) {
                      try (Connection c = ds.getConnection()) {
                        insert(c, ids.incrementAndGet());
                        expected.incrementAndGet();
                      }
                      continue;
                    }
                    tm.begin();
                    int rows = 1 + random.nextInt(3);
                    for (int i = 0; i < rows; i++) {
                      try (Connection c = ds.getConnection()) { // same branch every time
                        insert(c, ids.incrementAndGet());
                      }
                    }
                    if (kind == 3) {
                      tm.rollback();
                    } else {
                      tm.commit();
                      expected.addAndGet(rows);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(90, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      PoolStats s = ds.stats();
      assertEquals(0, s.active(), s.toString());
      assertEquals(0, s.waiting(), s.toString());
      assertEquals(s.total(), s.idle(), s.toString());
      assertTrue(s.total() <= 8, s.toString());
      assertEquals(0, ds.openBranches());
      assertEquals(0, s.acquireTimeouts());
      assertEquals(expected.get(), db.count());
      assertEquals(0, db.inDoubt());
    }
  }

  private static void insert(Connection c, int id) throws java.sql.SQLException {
    try (PreparedStatement ps = c.prepareStatement("insert into item values (?, 'x')")) {
      ps.setInt(1, id);
      ps.executeUpdate();
    }
  }
}
