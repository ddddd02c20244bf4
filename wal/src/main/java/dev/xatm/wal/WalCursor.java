package dev.xatm.wal;

/** Iterates records in LSN order. Not thread-safe; close it when done. */
public interface WalCursor extends AutoCloseable {

  /** The next record, or {@code null} at the end. */
  WalRecord next() throws WalException;

  @Override
  void close() throws WalException;
}
