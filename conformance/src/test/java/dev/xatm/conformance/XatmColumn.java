package dev.xatm.conformance;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.testing.ManualClock;
import dev.xatm.tm.testing.ManualScheduler;
import dev.xatm.wal.Durability;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The xatm column: a new {@link XatmTransactionManager} per case on its own WAL directory under
 * {@code target/conformance-work}, without fsync (the WAL's test-only durability; the cases are
 * about JTA semantics, not crash safety), with small segments and no checkpoints, on a {@link
 * ManualClock} and a {@link ManualScheduler} so timeouts need no real waiting. Nothing is shared
 * between cases: the thread association is an instance field of the TM.
 *
 * <p>Threading: one case at a time.
 */
final class XatmColumn implements TmUnderTest {
  private static final Duration REAPER_INTERVAL = Duration.ofMillis(500);

  private final ManualClock clock = new ManualClock(1_700_000_000_000L);
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final XatmTransactionManager tm;

  private XatmColumn(Path dir, int defaultTimeoutSeconds) {
    XatmConfig config =
        XatmConfig.builder()
            .nodeId("conformance")
            .logDir(dir)
            .durability(Durability.NO_FSYNC_UNSAFE_FOR_TESTS_ONLY)
            // Small segments and no checkpoints: a case writes a handful of records, and a
            // preallocated 16 MiB segment per case would dominate the suite's time.
            .segmentSize(256 * 1024)
            .checkpointsEnabled(false)
            .parallelism(2)
            .defaultTimeout(Duration.ofSeconds(defaultTimeoutSeconds))
            .reaperInterval(REAPER_INTERVAL)
            .jmxEnabled(false)
            .installAsDefault(false)
            .build();
    tm =
        XatmTransactionManager.builder(config)
            .clock(clock)
            .scheduler(scheduler)
            .installAsDefault(false)
            .recoveryConnectors(java.util.List.of())
            .start();
  }

  static XatmColumn open(int defaultTimeoutSeconds) {
    try {
      Path work = Path.of(System.getProperty("conformance.work", "target/conformance-work"));
      Files.createDirectories(work);
      return new XatmColumn(Files.createTempDirectory(work, "xatm-"), defaultTimeoutSeconds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Column column() {
    return Column.XATM;
  }

  @Override
  public TransactionManager tm() {
    return tm;
  }

  @Override
  public UserTransaction ut() {
    return tm;
  }

  @Override
  public TransactionSynchronizationRegistry tsr() {
    return tm;
  }

  @Override
  public void elapse(Duration d) {
    // In reaper-interval steps, as the real scheduler would tick.
    long left = d.toMillis();
    while (left > 0) {
      long step = Math.min(left, REAPER_INTERVAL.toMillis());
      scheduler.advanceAndRun(Duration.ofMillis(step));
      left -= step;
    }
  }

  @Override
  public void close() {
    try {
      tm.close();
    } catch (TxLogException e) {
      throw new IllegalStateException("closing the xatm log failed", e);
    }
  }

  @Override
  public String toString() {
    return "xatm";
  }
}
