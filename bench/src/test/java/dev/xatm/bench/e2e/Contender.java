package dev.xatm.bench.e2e;

/**
 * One way of running the benchmark transaction (debit a row in A, credit the same row in B, commit
 * both atomically). Opened for one thread count, then closed; only one contender is open at a time.
 */
interface Contender extends AutoCloseable {
  /** Short name for the tables. */
  String name();

  /** Opens what {@code threads} workers need (connections, pools). */
  void open(int threads) throws Exception;

  /** Runs one transaction on worker {@code thread}; throws when it did not commit. */
  void transfer(int thread, long sequence) throws Exception;

  /** Closes what {@link #open} opened. */
  @Override
  void close() throws Exception;
}
