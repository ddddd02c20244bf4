package dev.xatm.wal.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An open file. Positional reads may run concurrently with one writer; writes and forces are issued
 * by one thread at a time.
 */
public interface StorageFile extends Closeable {

  /**
   * Reads into {@code dst} from {@code position}; returns the bytes read, or -1 at end of file. May
   * read fewer bytes than requested.
   */
  int read(ByteBuffer dst, long position) throws IOException;

  /**
   * Writes every remaining byte of {@code srcs}, in order, starting at {@code position}. Either all
   * bytes are written or an exception is thrown (some may have been written).
   */
  void write(ByteBuffer[] srcs, long position) throws IOException;

  /** Makes written bytes durable; {@code metadata} also forces file metadata (size, times). */
  void force(boolean metadata) throws IOException;

  long size() throws IOException;
}
