package dev.xatm.tm.testing;

import dev.xatm.tm.Failpoints;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.log.InMemoryTxLog;
import dev.xatm.tm.log.TxRecord;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A transaction manager on an {@link InMemoryTxLog}, a {@link ManualClock} and a {@link
 * ManualScheduler}, with a small real executor for parallel branches. Log records are added to the
 * {@link Journal} as {@code log.<Type>} so tests can check ordering against XA calls.
 */
public final class TestTm implements AutoCloseable {
  public final Journal journal = new Journal();
  public final InMemoryTxLog log = new InMemoryTxLog("test-node");
  public final ManualClock clock = new ManualClock(1_000_000L);
  public final ManualScheduler scheduler = new ManualScheduler(clock);
  public final Failpoints failpoints = new Failpoints();
  public final ExecutorService executor = Executors.newFixedThreadPool(4);
  public final XatmTransactionManager tm;

  public TestTm() {
    this(XatmConfig.builder().nodeId("test-node").defaultTimeout(Duration.ofSeconds(60)).build());
  }

  public TestTm(XatmConfig config) {
    log.observe(r -> journal.add("log." + name(r)));
    tm =
        XatmTransactionManager.builder(config)
            .txLog(log)
            .clock(clock)
            .scheduler(scheduler)
            .xaExecutor(Runnable::run) // background XA work inline: the test drives time
            .phaseExecutor(executor)
            .failpoints(failpoints)
            .installAsDefault(false)
            .start();
  }

  private static String name(TxRecord r) {
    return r.getClass().getSimpleName();
  }

  public FakeXAResource resource(String name) {
    return new FakeXAResource(name, journal);
  }

  @Override
  public void close() throws Exception {
    tm.close();
    executor.shutdownNow();
  }
}
