package dev.xatm.wal;

/** Iterates records in LSN order. Not thread-safe; close it when done. */
public interface WalCursor extends AutoCloseable {

  /**
   * {@return the next record, or {@code null} at the end}
   *
   * @throws WalCorruptException a record that should be valid is not (the files changed after the
   *     scan that made this cursor)
   * @throws WalException an I/O error reading a segment
   */
  WalRecord next() throws WalException;

  /**
   * Closes the segment file the cursor has open, if any. Call it once, when done reading.
   *
   * @throws WalException closing the file failed
   */
  @Override
  void close() throws WalException;
}
