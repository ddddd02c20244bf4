package dev.xatm.conformance;

import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.time.Duration;

/**
 * One transaction manager as a conformance case sees it: the three JTA interfaces, and a way to let
 * time pass for timeouts. A case uses nothing else, so it runs unchanged against every {@link
 * Column}.
 *
 * <p>Threading: the JTA objects are as thread-safe as their TM; {@link #elapse} and {@link #close}
 * are called from the case's thread.
 */
public interface TmUnderTest extends AutoCloseable {
  Column column();

  TransactionManager tm();

  UserTransaction ut();

  TransactionSynchronizationRegistry tsr();

  /**
   * Lets {@code d} pass as the TM's timeouts see it, and gives its reaper the chance to act: xatm's
   * injected clock moves and its reaper ticks on the case's thread; for Narayana (whose clock
   * cannot be injected) the case really waits.
   */
  void elapse(Duration d) throws InterruptedException;

  default boolean is(Column c) {
    return column() == c;
  }

  /** Releases the TM and any association the case left on the calling thread. */
  @Override
  void close();
}
