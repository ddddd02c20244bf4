package dev.xatm.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.XaWorkers;
import dev.xatm.tm.spi.IdentifiedXAResource;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.testing.FakeXAResource.BranchState;
import dev.xatm.tm.testing.Journal;
import dev.xatm.tm.testing.ManualClock;
import dev.xatm.tm.testing.ManualScheduler;
import jakarta.transaction.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: blocking background XA work (commit retries, recovery passes) runs on its own bounded
 * workers, not on the scheduler the timeout reaper and the checkpointer share. A resource that
 * hangs forever in commit and in recover() stops neither timeouts nor checkpoints.
 */
class HungResourceTest {
  @TempDir Path dir;
  private final Journal journal = new Journal();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch commitHung = new CountDownLatch(1);
  private final CountDownLatch recoverHung = new CountDownLatch(1);
  private final AtomicBoolean hangRecover = new AtomicBoolean();
  private final AtomicBoolean hangCommit = new AtomicBoolean();

  /** A hang that ignores interrupts, as a driver blocked in a socket read does. */
  private void block(CountDownLatch entered) {
    entered.countDown();
    hangIgnoringInterrupts(release, new AtomicBoolean());
  }

  private static void hangIgnoringInterrupts(CountDownLatch until, AtomicBoolean sawInterrupt) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (until.getCount() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      if (Thread.interrupted()) {
        sawInterrupt.set(true); // and carries on: the interrupt does not unblock it
      }
    }
  }

  @Test
  void aResourceThatHangsForeverStopsNeitherTimeoutsNorCheckpoints() throws Exception {
    run(null);
  }

  /** The same with background XA work on the scheduler's thread, as before: it hangs. */
  @Test
  void onTheSchedulerThreadTheHangWouldStopTheReaper() throws Exception {
    try {
      Throwable t =
          org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> run(Runnable::run));
      assertTrue(t.getMessage().contains("timed out"), t.toString());
    } finally {
      release.countDown();
    }
  }

  private void run(Executor xaExecutor) throws Exception {
    PreparedResource a = new PreparedResource("a", journal);
    PreparedResource b =
        new PreparedResource("b", journal) {
          @Override
          public void commit(Xid xid, boolean onePhase) throws XAException {
            if (hangCommit.get()) {
              block(commitHung); // the retry's fresh connection hangs too
            }
            super.commit(xid, onePhase);
          }

          @Override
          public Xid[] recover(int flag) {
            if (hangRecover.get()) {
              block(recoverHung);
            }
            return super.recover(flag);
          }
        };
    FakeConnector connector = new FakeConnector().add("a", a).add("b", b);
    XatmConfig config =
        XatmConfig.builder()
            .nodeId("n1")
            .logDir(dir.resolve("log"))
            .segmentSize(64 * 1024)
            .checkpointInterval(Duration.ofSeconds(1))
            .checkpointBytes(0)
            .installAsDefault(false)
            .jmxEnabled(false)
            .recovery("xatm.recovery.resource.b.url", "fake:b")
            .recovery("xatm.recovery.interval", "10s")
            .build();
    ManualClock clock = new ManualClock(1_000_000L);
    ManualScheduler scheduler = new ManualScheduler(clock);
    XatmTransactionManager.Builder builder =
        XatmTransactionManager.builder(config)
            .clock(clock)
            .scheduler(scheduler)
            .recoveryConnectors(List.of(connector));
    if (xaExecutor != null) {
      builder.xaExecutor(xaExecutor);
    }
    XatmTransactionManager tm = builder.start();
    try {
      HangsOnCommitRetry hb = new HangsOnCommitRetry(b);
      tm.begin();
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(hb);
      Gtrid decided = (Gtrid) tm.getTransactionKey();
      tm.commit(); // b's commit fails once: retried in the background, where it hangs
      hangRecover.set(true); // and every recovery pass hangs in b's recover()
      hangCommit.set(true); // and every commit on b
      long checkpointsBefore = tm.logLifecycle().orElseThrow().status().checkpointsWritten();

      assertTimeoutPreemptively(
          Duration.ofSeconds(10),
          () -> {
            scheduler.advanceAndRun(Duration.ofSeconds(1));
            assertTrue(commitHung.await(5, TimeUnit.SECONDS), "the retry reached the hang");
            scheduler.advanceAndRun(Duration.ofSeconds(10));
            assertTrue(recoverHung.await(5, TimeUnit.SECONDS), "the pass reached the hang");

            tm.setTransactionTimeout(2);
            tm.begin();
            tm.getTransaction().enlistResource(a);
            tm.getTransaction().delistResource(a, XAResource.TMSUCCESS);
            scheduler.advanceAndRun(Duration.ofSeconds(3));
            assertEquals(Status.STATUS_ROLLEDBACK, tm.getStatus(), "the reaper still runs");
            tm.rollback();
            assertTrue(
                tm.logLifecycle().orElseThrow().status().checkpointsWritten() > checkpointsBefore,
                "checkpoints still happen");
          },
          "timed out: the scheduler is held by a hung resource");
      assertEquals(BranchState.COMMITTED, a.state(new XatmXid(decided, 1)));
    } finally {
      release.countDown();
      tm.close();
    }
  }

  /**
   * Review of issue 10, item 6: the time limit counts from when the task runs, not from submit (a
   * task that waited in the queue used to run unbounded: its watchdog had already fired), and a
   * task past its limit is reported and abandoned, never interrupted (an interrupt does not unblock
   * a socket read, and can close a driver's FileChannel).
   */
  @Test
  void theWatchdogReportsATaskPastItsTimeoutCountedFromItsStartWithoutInterrupting()
      throws Exception {
    ManualClock clock = new ManualClock(0);
    ManualScheduler scheduler = new ManualScheduler(clock);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch releaseSecond = new CountDownLatch(1);
    try {
      XaWorkers xa = new XaWorkers(pool, scheduler, Duration.ofSeconds(30));
      AtomicBoolean interrupted = new AtomicBoolean();
      CountDownLatch firstStarted = new CountDownLatch(1);
      CountDownLatch secondStarted = new CountDownLatch(1);
      assertTrue(
          xa.submit(
              "first call",
              () -> {
                firstStarted.countDown();
                hangIgnoringInterrupts(releaseFirst, interrupted);
              }));
      assertTrue(
          xa.submit(
              "second call", // queued behind the first
              () -> {
                secondStarted.countDown();
                hangIgnoringInterrupts(releaseSecond, interrupted);
              }));
      assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
      scheduler.advanceAndRun(Duration.ofSeconds(29));
      assertEquals(0, xa.timedOut());
      scheduler.advanceAndRun(Duration.ofSeconds(2));
      assertEquals(1, xa.timedOut(), "the first call is reported");

      releaseFirst.countDown();
      assertTrue(secondStarted.await(5, TimeUnit.SECONDS));
      scheduler.advanceAndRun(Duration.ofSeconds(29));
      assertEquals(1, xa.timedOut(), "the second call's limit counts from its start");
      scheduler.advanceAndRun(Duration.ofSeconds(2));
      assertEquals(2, xa.timedOut(), "the second call is reported too");
      assertTrue(!interrupted.get(), "no thread was interrupted");
    } finally {
      releaseFirst.countDown();
      releaseSecond.countDown();
      pool.shutdownNow();
    }
  }

  /** b's handle in the transaction: the first commit fails, every later one hangs. */
  private final class HangsOnCommitRetry implements IdentifiedXAResource {
    private final PreparedResource rm;
    private int commits;

    HangsOnCommitRetry(PreparedResource rm) {
      this.rm = rm;
    }

    @Override
    public ResourceDescriptor descriptor() {
      return rm.descriptor();
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
      rm.start(xid, flags);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
      rm.end(xid, flags);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
      return rm.prepare(xid);
    }

    @Override
    public synchronized void commit(Xid xid, boolean onePhase) throws XAException {
      if (commits++ == 0) {
        throw new XAException(XAException.XAER_RMFAIL);
      }
      block(commitHung);
      throw new XAException(XAException.XAER_RMFAIL);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
      rm.rollback(xid);
    }

    @Override
    public void forget(Xid xid) throws XAException {
      rm.forget(xid);
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
      return rm.recover(flag);
    }

    @Override
    public boolean isSameRM(XAResource other) {
      return other == this;
    }

    @Override
    public int getTransactionTimeout() {
      return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
      return false;
    }
  }
}
