package dev.xatm.conformance;

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
