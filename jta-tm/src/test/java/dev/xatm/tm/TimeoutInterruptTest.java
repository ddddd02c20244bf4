package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.spi.InterruptibleXAResource;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
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
  static final class Interruptible extends FakeXAResource implements InterruptibleXAResource {
    final List<String> reasons = new ArrayList<>();
    volatile boolean quiet = true;

    Interruptible(String name, Journal journal) {
      super(name, journal);
    }

    @Override
    public synchronized boolean interruptWork(String reason, Duration wait) {
      reasons.add(reason);
      return quiet;
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
    assertEquals(2, a.reasons.size(), "tried again at the next tick");
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
