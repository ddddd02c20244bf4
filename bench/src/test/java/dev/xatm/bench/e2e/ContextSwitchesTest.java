package dev.xatm.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ContextSwitches} against a workload whose switches are known: two threads hand a turn back
 * and forth {@value #ROUNDS} times, each parking until it is its turn. Every wait is one block and
 * one wake-up, so each thread makes about {@value #ROUNDS} voluntary switches. Both threads end
 * inside the window, which is the case the first implementation lost (issue 15).
 */
class ContextSwitchesTest {
  private static final int ROUNDS = 2_000;

  @BeforeAll
  static void linuxOnly() {
    assumeTrue(ContextSwitches.available(), "needs /proc/thread-self (Linux)");
  }

  @Test
  void loadThreadsThatEndInsideTheWindowAreCountedFromTheirOwnReadings() throws Exception {
    ContextSwitches window = new ContextSwitches();
    window.open();
    AtomicIntegerArray tids = new AtomicIntegerArray(2);
    PingPong game =
        new PingPong(
            me -> {
              ContextSwitches.Entered e = window.enter();
              tids.set(me, e.tid());
              return () -> window.leave(e);
            });
    game.playToTheEnd();
    awaitEnded(tids.get(0));
    awaitEnded(tids.get(1));
    window.close();

    ContextSwitches.Totals totals = window.totals();
    assertNull(totals.problem());
    assertEquals(2, totals.selfRead());
    assertAboutOneSwitchPerRound(totals, tids);
  }

  @Test
  void otherThreadsThatEndInsideTheWindowCountUpToTheirLastSample() throws Exception {
    ContextSwitches window = new ContextSwitches();
    window.open();
    AtomicIntegerArray tids = new AtomicIntegerArray(2);
    CountDownLatch played = new CountDownLatch(2);
    CountDownLatch sampled = new CountDownLatch(1);
    PingPong game =
        new PingPong(
            me -> {
              tids.set(me, ownTid());
              return () -> {
                played.countDown();
                awaitUninterruptibly(sampled);
              };
            });
    Thread[] players = game.start();
    played.await();
    window.sample(); // both alive, done playing, parked on the latch
    sampled.countDown();
    for (Thread p : players) {
      p.join();
    }
    awaitEnded(tids.get(0));
    awaitEnded(tids.get(1));
    window.close();

    ContextSwitches.Totals totals = window.totals();
    assertNull(totals.problem());
    assertTrue(totals.ended() >= 2, "ended " + totals.ended());
    assertAboutOneSwitchPerRound(totals, tids);
  }

  /**
   * Each round switches each player out once. Voluntarily when it parks. But when both players
   * share a CPU (the other one busy), waking the other player can preempt the waker before it parks
   * (an involuntary switch), and when it runs again its turn has already come back, so it does not
   * park in that round. So per player the sum is about one per round; the voluntary share is
   * between about one per round for the pair (one CPU) and one per round each (two CPUs). Thread
   * start, the latches and class loading add a few.
   */
  private static void assertAboutOneSwitchPerRound(
      ContextSwitches.Totals totals, AtomicIntegerArray tids) {
    long voluntary = 0;
    StringBuilder seen = new StringBuilder(ROUNDS + " rounds:");
    for (int me = 0; me < 2; me++) {
      int tid = tids.get(me);
      ContextSwitches.Counts c = totals.byThread().get(tid);
      assertTrue(c != null, "thread " + tid + " missing from " + totals.byThread().keySet());
      seen.append(" thread ").append(tid).append(' ').append(c);
      long both = c.voluntary() + c.involuntary();
      assertTrue(both >= ROUNDS * 9L / 10 && both <= ROUNDS * 3L / 2 + 100, seen.toString());
      voluntary += c.voluntary();
    }
    assertTrue(voluntary >= ROUNDS * 9L / 10 && voluntary <= 2L * ROUNDS + 200, seen.toString());
    assertTrue(totals.all().voluntary() >= voluntary, "total " + totals.all() + ", " + seen);
  }

  /**
   * Waits until the kernel has removed thread {@code tid}: {@code join} returns when the Java
   * thread has terminated, a moment before its native thread has exited.
   */
  private static void awaitEnded(int tid) {
    Path task = Path.of("/proc/self/task/" + tid);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Files.exists(task) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    assertFalse(Files.exists(task), "thread " + tid + " still exists 10 s after its join");
  }

  private static int ownTid() {
    try {
      return Integer.parseInt(
          Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Two threads take turns: each waits, parked, until the turn is its own, then hands it over and
   * unparks the other. Player 0 moves first. Each player runs a setup that returns what to do when
   * it has played its {@value #ROUNDS} rounds, just before it ends.
   */
  private static final class PingPong {
    interface Setup {
      Runnable atEnd(int me);
    }

    private final Setup setup;
    private final Thread[] players = new Thread[2];
    private volatile int turn;

    PingPong(Setup setup) {
      this.setup = setup;
    }

    Thread[] start() throws InterruptedException {
      CountDownLatch ready = new CountDownLatch(2);
      CountDownLatch go = new CountDownLatch(1);
      for (int me = 0; me < 2; me++) {
        int player = me;
        players[me] =
            new Thread(
                () -> {
                  Runnable atEnd = setup.atEnd(player);
                  ready.countDown();
                  awaitUninterruptibly(go);
                  play(player);
                  atEnd.run();
                },
                "ping-pong-" + me);
      }
      for (Thread p : players) {
        p.start();
      }
      ready.await();
      go.countDown();
      return players;
    }

    void playToTheEnd() throws InterruptedException {
      for (Thread p : start()) {
        p.join();
      }
    }

    private void play(int me) {
      Thread other = players[1 - me];
      for (int i = 0; i < ROUNDS; i++) {
        while (turn != me) {
          LockSupport.park(this);
        }
        turn = 1 - me;
        LockSupport.unpark(other);
      }
    }
  }
}
