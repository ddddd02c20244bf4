package dev.xatm.conformance;

import com.arjuna.ats.arjuna.coordinator.TransactionReaper;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.time.Duration;

/**
 * The Narayana column: Narayana's singleton TM (configured once by {@link NarayanaFixture}), reset
 * before and after each case. Its clock cannot be injected, so {@link #elapse} really sleeps; cases
 * keep timeouts at one or two seconds.
 *
 * <p>Threading: one case at a time (the configuration is JVM-global).
 */
final class NarayanaColumn implements TmUnderTest {
  private NarayanaColumn() {}

  static NarayanaColumn open(int defaultTimeoutSeconds) {
    NarayanaFixture.reset(defaultTimeoutSeconds);
    return new NarayanaColumn();
  }

  @Override
  public Column column() {
    return Column.NARAYANA;
  }

  @Override
  public TransactionManager tm() {
    return NarayanaFixture.tm();
  }

  @Override
  public UserTransaction ut() {
    return NarayanaFixture.ut();
  }

  @Override
  public TransactionSynchronizationRegistry tsr() {
    return NarayanaFixture.tsr();
  }

  @Override
  public void elapse(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
    if (d.toMillis() >= 2000) {
      // The cases elapse two seconds past a one-second timeout when they expect the reaper to have
      // acted; Narayana's reaper thread can be late on a loaded machine (seen: still ACTIVE after
      // 2 s at load 12), so wait for it, bounded, instead of failing on scheduling noise.
      long until = System.nanoTime() + 10_000_000_000L;
      while (TransactionReaper.transactionReaper().numberOfTransactions() > 0
          && System.nanoTime() < until) {
        Thread.sleep(20);
      }
    }
  }

  @Override
  public void close() {
    NarayanaFixture.reset(60);
  }

  @Override
  public String toString() {
    return "narayana";
  }
}
