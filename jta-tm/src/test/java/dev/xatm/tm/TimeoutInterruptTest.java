package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.spi.InterruptibleXAResource;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
import dev.xatm.tm.testing.ManualClock;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reaper frees the database of an expired transaction whose branches are still associated, when
 * the resource can be interrupted (DESIGN §10).
 */
class TimeoutInterruptTest {
  private final TestTm t = new TestTm();
  private final XatmTransactionManager tm = t.tm;

  /** A fake whose application work can be stopped; answers {@code quiet} to interruptWork. */
  static class Interruptible extends FakeXAResource implements InterruptibleXAResource {
    final List<String> reasons = new ArrayList<>();
    final List<Duration> waits = new ArrayList<>();
    volatile boolean quiet = true;

    Interruptible(String name, Journal journal) {
      super(name, journal);
    }

    @Override
    public synchronized boolean interruptWork(String reason, Duration wait) {
      reasons.add(reason);
      waits.add(wait);
      return quiet;
    }
  }

  /**
   * An interruptible fake whose owner is inside a call that returns from the cancel only at {@code
   * returnsAt} on the manual clock; a wait of the reaper uses up the clock until the call returns
   * or the wait ends. Records when it was fenced, the waits it was given and when it was rolled
   * back.
   */
  static final class SlowToReturn extends Interruptible {
    final ManualClock clock;
    final Journal events;
    final long returnsAt;
    final List<Long> calledAt = new ArrayList<>();
    volatile long rolledBackAt = -1;

    SlowToReturn(String name, Journal journal, ManualClock clock, long returnsAt) {
      super(name, journal);
      this.clock = clock;
      this.events = journal;
      this.returnsAt = returnsAt;
    }

    @Override
    public synchronized boolean interruptWork(String reason, Duration wait) {
      super.interruptWork(reason, wait);
      events.add(name() + ".interruptWork(" + wait.toMillis() + ")");
      calledAt.add(clock.millis());
      long now = clock.millis();
      if (now >= returnsAt) {
        return true;
      }
      if (now + wait.toMillis() >= returnsAt) {
        clock.advance(Duration.ofMillis(returnsAt - now)); // the call returned during the wait
        return true;
      }
      clock.advance(wait);
      return false;
    }

    @Override
    public void rollback(Xid xid) throws XAException {
      rolledBackAt = clock.millis();
      super.rollback(xid);
    }
  }

  @AfterEach
  void close() throws Exception {
    t.close();
  }

  @Test
  void reaperInterruptsEndsWithTmFailAndRollsBackAnAssociatedBranch() throws Exception {
    Interruptible a = new Interruptible("a", t.journal);
    Interruptible b = new Interruptible("b", t.journal);
    tm.setTransactionTimeout(1);
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(a); // still associated: the owner is "idle in it"
    tm.getTransaction().enlistResource(b);
    t.scheduler.advanceAndRun(Duration.ofSeconds(2));

    assertEquals(1, a.reasons.size());
    assertTrue(a.reasons.get(0).contains(g.toString()), a.reasons.toString());
    assertEquals(FakeXAResource.BranchState.ROLLED_BACK, a.state(new XatmXid(g, 1)));
    assertEquals(FakeXAResource.BranchState.ROLLED_BACK, b.state(new XatmXid(g, 2)));
    assertTrue(t.journal.events().contains("a.end(" + g + "#1,TMFAIL)"), t.journal.toString());
    assertFalse(tm.isAlive(g));
    assertEquals(Status.STATUS_ROLLEDBACK, tm.getStatus());
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
  }

  @Test
  void aCallThatDoesNotReturnKeepsTheReaperOffAndTheOwnerRollsBack() throws Exception {
    Interruptible a = new Interruptible("a", t.journal);
    a.quiet = false; // the statement ignored the cancel
    tm.setTransactionTimeout(1);
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(a);
    t.scheduler.advanceAndRun(Duration.ofSeconds(2));
    assertEquals(0, t.journal.count("a.end") + t.journal.count("a.rollback"));
    assertTrue(tm.isAlive(g));
    t.scheduler.advanceAndRun(Duration.ofSeconds(2));
    // Each tick fences without a wait, then waits up to one interval for the call.
    assertEquals(
        List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1)),
        a.waits,
        "tried again at the next tick");
    assertThrows(RollbackException.class, tm::commit);
    assertEquals(FakeXAResource.BranchState.ROLLED_BACK, a.state(new XatmXid(g, 1)));
  }

  @Test
  void aResourceThatCannotBeInterruptedKeepsTheReaperOffTheWholeTransaction() throws Exception {
    Interruptible a = new Interruptible("a", t.journal);
    FakeXAResource plain = t.resource("plain");
    tm.setTransactionTimeout(1);
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().enlistResource(plain);
    t.scheduler.advanceAndRun(Duration.ofSeconds(2));
    assertEquals(0, t.journal.count("a.rollback") + t.journal.count("plain.rollback"));
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus());
    assertTrue(tm.isAlive(g));
    assertThrows(RollbackException.class, tm::commit);
  }

  /**
   * The owner's statement returns from the reaper's cancel while the reaper is still rolling back
   * (Spring then calls rollback at once): the owner's rollback waits for the reaper and is quiet,
   * its commit waits and throws RollbackException; neither sees a half-rolled-back transaction.
   */
  @Test
  void ownerRollbackAndCommitDuringTheReapersRollbackWaitForIt() throws Exception {
    for (boolean commit : new boolean[] {false, true}) {
      Interruptible a = new Interruptible("a" + commit, t.journal);
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      a.hang(FakeXAResource.Op.ROLLBACK, entered, release);
      tm.setTransactionTimeout(1);
      tm.begin();
      Gtrid g = (Gtrid) tm.getTransactionKey();
      tm.getTransaction().enlistResource(a);
      ExecutorService reaper = Executors.newSingleThreadExecutor();
      Thread owner = Thread.currentThread();
      Thread releaser =
          new Thread(
              () -> {
                while (owner.getState() != Thread.State.TIMED_WAITING) {
                  Thread.onSpinWait();
                }
                release.countDown(); // the owner is waiting for the reaper now
              });
      try {
        Future<?> tick = reaper.submit(() -> t.scheduler.advanceAndRun(Duration.ofSeconds(2)));
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the reaper is rolling back");
        releaser.start();
        if (commit) {
          RollbackException e = assertThrows(RollbackException.class, tm::commit);
          assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        } else {
          tm.rollback();
        }
        assertEquals(FakeXAResource.BranchState.ROLLED_BACK, a.state(new XatmXid(g, 1)));
        assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
        tick.get(10, TimeUnit.SECONDS);
      } finally {
        releaser.join(10_000);
        reaper.shutdownNow();
        tm.setTransactionTimeout(0);
      }
    }
  }

  /**
   * Three transactions expire in the same tick; the owners of two are in calls that return from the
   * cancel only half an interval after the tick's wait is over. Every one is fenced (and its
   * statement cancelled) at the start of the tick, the idle one is rolled back at once without
   * waiting behind the others' waits, the tick waits at most one interval in all, and the next tick
   * starts as soon as that one overran, so the slow two are rolled back when their calls return
   * (docs/tm-protocol.md, worst case).
   */
  @Test
  void transactionsExpiringInOneTickDoNotWaitForEachOther() throws Exception {
    long r = XatmSettings.REAPER_INTERVAL.defaultValue().toMillis();
    long deadline = t.clock.millis() + 1000;
    long tick = deadline + 1000; // advanceAndRun below: the first tick that sees them expired
    SlowToReturn slow1 = new SlowToReturn("slow1", t.journal, t.clock, tick + r + r / 2);
    SlowToReturn slow2 = new SlowToReturn("slow2", t.journal, t.clock, tick + r + r / 2);
    SlowToReturn idle = new SlowToReturn("idle", t.journal, t.clock, 0);
    tm.setTransactionTimeout(1);
    List<Gtrid> gtrids = new ArrayList<>();
    for (SlowToReturn res : List.of(slow1, slow2, idle)) {
      tm.begin();
      gtrids.add((Gtrid) tm.getTransactionKey());
      // Refuses TMSUSPEND: the branch stays associated (HELD), as if its owner were still in it.
      tm.getTransaction().enlistResource(res.refuseSuspend());
      tm.suspend();
    }
    tm.setTransactionTimeout(0);
    t.scheduler.advanceAndRun(Duration.ofMillis(tick - t.clock.millis()));

    for (SlowToReturn res : List.of(slow1, slow2, idle)) {
      assertEquals(tick, res.calledAt.get(0), res.name() + " fenced at the tick's start");
    }
    assertEquals(tick, idle.rolledBackAt, "the idle one waits for nobody");
    int idleRollback = t.journal.indexOfPrefix("idle.rollback");
    for (String fence : List.of("slow1.interruptWork(0)", "slow2.interruptWork(0)")) {
      int i = t.journal.indexOf(fence);
      assertTrue(i >= 0 && i < idleRollback, "all fenced before any rollback: " + t.journal);
    }
    assertEquals(tick + r + r / 2, slow1.rolledBackAt, "rolled back as its call returned");
    assertEquals(tick + r + r / 2, slow2.rolledBackAt, "rolled back as its call returned");
    for (Gtrid g : gtrids) {
      assertFalse(tm.isAlive(g), g.toString());
    }
  }

  @Test
  void transactionWithinItsDeadlineIsNotInterrupted() throws Exception {
    Interruptible a = new Interruptible("a", t.journal);
    tm.setTransactionTimeout(10);
    tm.begin();
    tm.getTransaction().enlistResource(a);
    t.scheduler.advanceAndRun(Duration.ofSeconds(2));
    assertTrue(a.reasons.isEmpty());
    tm.commit();
  }
}
