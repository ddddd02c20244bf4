package dev.xatm.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The reaper's fence and the owner's next JDBC call (docs/tm-protocol.md, "Timeouts"): once {@code
 * interrupt} has said that no call is in progress, the reaper ends and rolls back the branch on the
 * physical connection, so no call of that lease may start afterwards, however the two threads
 * interleave. The seam runs the reaper exactly between the owner's first fence check and its
 * registration, the one interleaving a single check misses.
 *
 * <p>The reaper interrupts a lease once without waiting (every expired transaction of a tick is
 * fenced first) and then again to wait for a call in progress; the second interrupt must not send a
 * second cancel for the same statement (each pgjdbc cancel is a new connection to the server).
 */
class FenceRaceTest {
  private static final ClassLoader LOADER = FenceRaceTest.class.getClassLoader();

  private static XaPool h2Pool() throws SQLException {
    String db = "d" + UUID.randomUUID().toString().replace("-", "");
    return new XaPool(
        XaConnectionFactory.create(
            XaUrl.parse("jdbc:xa:h2:mem:" + db + ";DB_CLOSE_DELAY=-1", null), LOADER),
        PoolConfig.defaults(),
        p -> {});
  }

  @Test
  void aCallThatPassedTheFenceCheckBeforeTheInterruptDoesNotRunAfterIt() throws Exception {
    XaPool pool = h2Pool();
    try {
      PooledXaConnection c = pool.acquire();
      int lease = c.generation();
      AtomicBoolean reaperSawQuiet = new AtomicBoolean();
      c.beforeEnterRegisters(
          () -> {
            Thread reaper =
                new Thread(() -> reaperSawQuiet.set(c.interrupt("timed out", 1_000_000_000L)));
            reaper.start();
            try {
              reaper.join();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      boolean entered = c.enter(lease);
      assertTrue(reaperSawQuiet.get(), "the reaper saw no call in progress and went on");
      assertFalse(entered, "the owner's call would run beside the reaper's end and rollback");
      assertEquals("timed out", c.interruptReason(lease));
      c.beforeEnterRegisters(() -> {});
      assertFalse(c.enter(lease), "and every later call of the lease is refused");
      c.exit(); // the owner's hold
    } finally {
      pool.close();
    }
  }

  @Test
  void aCallInProgressKeepsTheReaperWaiting() throws Exception {
    XaPool pool = h2Pool();
    try {
      PooledXaConnection c = pool.acquire();
      int lease = c.generation();
      assertTrue(c.enter(lease));
      assertFalse(c.interrupt("timed out", 20_000_000L), "a call is in progress");
      c.exit();
      assertTrue(c.interrupt("timed out", 20_000_000L), "quiet once it ended");
      c.exit();
    } finally {
      pool.close();
    }
  }

  @Test
  void aSecondInterruptOfTheLeaseDoesNotCancelTheSameStatementAgain() throws Exception {
    XaPool pool = h2Pool();
    try {
      PooledXaConnection c = pool.acquire();
      int lease = c.generation();
      AtomicInteger cancels = new AtomicInteger();
      Statement running =
          (Statement)
              Proxy.newProxyInstance(
                  LOADER,
                  new Class<?>[] {Statement.class},
                  (proxy, method, args) -> {
                    return switch (method.getName()) {
                      case "cancel" -> {
                        cancels.incrementAndGet();
                        yield null;
                      }
                      case "hashCode" -> System.identityHashCode(proxy);
                      case "equals" -> proxy == args[0];
                      default -> throw new UnsupportedOperationException(method.getName());
                    };
                  });
      assertTrue(c.enter(lease));
      c.startRunning(running); // the owner is inside this statement
      assertFalse(c.interrupt("timed out", 0L), "the fence and the cancel, no wait");
      assertFalse(c.interrupt("timed out", 2_000_000L), "the wait: the call is still running");
      assertEquals(1, cancels.get(), "cancelled once");
      c.stopRunning(running);
      c.exit();
      assertTrue(c.interrupt("timed out", 0L));
      c.exit();
    } finally {
      pool.close();
    }
  }
}
