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
   * Reads into {@code dst} from {@code position}. May read fewer bytes than requested.
   *
   * @param dst the buffer to fill from its position to its limit
   * @param position the file offset to read from
   * @return the bytes read, or -1 at end of file
   * @throws IOException the read failed
   */
  int read(ByteBuffer dst, long position) throws IOException;

  /**
   * Writes every remaining byte of {@code srcs}, in order, starting at {@code position}. Either all
   * bytes are written or an exception is thrown (some may have been written).
   *
   * @param srcs the buffers to write, each from its position to its limit
   * @param position the file offset of the first byte
   * @throws IOException the write failed; the file's content from {@code position} is then unknown
   */
  void write(ByteBuffer[] srcs, long position) throws IOException;

  /**
   * Makes written bytes durable.
   *
   * @param metadata also force file metadata (size, times)
   * @throws IOException the force failed: the bytes written since the last force may be lost
   */
  void force(boolean metadata) throws IOException;

  /**
   * {@return the file's current size in bytes}
   *
   * @throws IOException the size cannot be read
   */
  long size() throws IOException;
}
