package dev.xatm.wal;

/** Whether appends that ask for durability really reach the disk. */
public enum Durability {
  /**
   * Every forced append returns only after {@code FileChannel.force(false)}. The only safe mode.
   */
  FSYNC,
  /**
   * Never calls force: a power loss or kernel crash loses acknowledged records. For tests and
   * benchmarks only; the log warns loudly when opened this way.
   */
  NO_FSYNC_UNSAFE_FOR_TESTS_ONLY
}
