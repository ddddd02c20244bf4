package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.log.InMemoryTxLog;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
import dev.xatm.tm.testing.ManualClock;
import dev.xatm.tm.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A phase's branches run in parallel only when that pays (issue 15): resources that answer in
 * microseconds are called in turn on the committing thread, with no hand-off; resources that take a
 * round trip, or are not measured yet, are called in parallel. Either way every branch of a phase
 * is called before the next step.
 */
class ParallelPhasesTest {
  private final Journal journal = new Journal();
  private final AtomicInteger handedOff = new AtomicInteger();
  private final ExecutorService phase =
      new ThreadPoolExecutor(4, 4, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
        @Override
        public void execute(Runnable command) {
          handedOff.incrementAndGet();
          super.execute(command);
        }
      };
  private final XatmTransactionManager tm =
      XatmTransactionManager.builder(
              XatmConfig.builder().nodeId("node-p").defaultTimeout(Duration.ofSeconds(60)).build())
          .txLog(new InMemoryTxLog("node-p"))
          .clock(new ManualClock(1_000_000L))
          .scheduler(new ManualScheduler(new ManualClock(1_000_000L)))
          .xaExecutor(Runnable::run)
          .phaseExecutor(phase)
          .installAsDefault(false)
          .start();

  @AfterEach
  void close() throws Exception {
    tm.close();
    phase.shutdownNow();
  }

  /** A resource whose prepare and commit take a database round trip's time. */
  private final class Slow extends FakeXAResource {
    Slow(String name) {
      super(name, journal);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
      pause();
      return super.prepare(xid);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
      pause();
      super.commit(xid, onePhase);
    }

    private void pause() {
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A resource that answers at once (an in-memory one), counting its calls in order. */
  private static final class Instant implements dev.xatm.tm.spi.IdentifiedXAResource {
    private final dev.xatm.tm.spi.ResourceDescriptor descriptor;
    private final List<String> calls;

    Instant(String name, List<String> calls) {
      this.descriptor = new dev.xatm.tm.spi.ResourceDescriptor(name, "instant:" + name, null);
      this.calls = calls;
    }

    @Override
    public dev.xatm.tm.spi.ResourceDescriptor descriptor() {
      return descriptor;
    }

    @Override
    public void start(Xid xid, int flags) {}

    @Override
    public void end(Xid xid, int flags) {}

    @Override
    public int prepare(Xid xid) {
      calls.add(descriptor.resourceId() + ".prepare");
      return javax.transaction.xa.XAResource.XA_OK;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) {
      calls.add(descriptor.resourceId() + ".commit");
    }

    @Override
    public void rollback(Xid xid) {}

    @Override
    public void forget(Xid xid) {}

    @Override
    public Xid[] recover(int flag) {
      return new Xid[0];
    }

    @Override
    public boolean isSameRM(javax.transaction.xa.XAResource other) {
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

  private void transfer(List<? extends javax.transaction.xa.XAResource> resources)
      throws Exception {
    tm.begin();
    for (javax.transaction.xa.XAResource r : resources) {
      tm.getTransaction().enlistResource(r);
    }
    tm.commit();
  }

  @Test
  void fastResourcesAreCalledOnTheCommittingThreadOnceMeasured() throws Exception {
    List<String> calls = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    List<Instant> fast = List.of(new Instant("a", calls), new Instant("b", calls));
    transfer(fast); // not measured yet: its prepare phase forks (its commit phase may not)
    assertTrue(handedOff.get() >= 1, "the first prepare handed a branch off");
    for (int i = 0; i < 20; i++) {
      transfer(fast); // the first calls of a cold JVM are slow; the estimate forgets them
    }
    int warm = handedOff.get();
    for (int i = 0; i < 10; i++) {
      transfer(fast);
    }
    assertEquals(warm, handedOff.get(), "measured fast: no hand-off any more");
    assertEquals(31, calls.stream().filter("a.commit"::equals).count());
    assertEquals(31, calls.stream().filter("b.commit"::equals).count());
    List<String> last = calls.subList(calls.size() - 4, calls.size());
    assertEquals(List.of("a.prepare", "b.prepare", "a.commit", "b.commit"), last, "in turn");
  }

  @Test
  void slowResourcesKeepTheirBranchesInParallel() throws Exception {
    List<FakeXAResource> slow = List.of(new Slow("a"), new Slow("b"));
    for (int i = 0; i < 5; i++) {
      transfer(slow);
    }
    assertEquals(10, handedOff.get(), "every prepare and commit phase forked");
  }

  @Test
  void oneSlowResourceAmongFastOnesGainsNothingFromAThread() throws Exception {
    List<String> calls = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    List<javax.transaction.xa.XAResource> mixed =
        List.of(new Instant("a", calls), new Slow("b"), new Instant("c", calls));
    for (int i = 0; i < 20; i++) {
      transfer(mixed);
    }
    int warm = handedOff.get();
    for (int i = 0; i < 5; i++) {
      transfer(mixed);
    }
    assertEquals(warm, handedOff.get(), "one slow branch is as fast in turn as in parallel");
  }
}
