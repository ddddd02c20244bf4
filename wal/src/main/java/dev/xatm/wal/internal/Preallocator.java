package dev.xatm.wal.internal;

import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Prepares the next segment file ahead of need (FORMAT.md, "Directory"; seeds decision 15): it
 * writes zeros up to the full segment size (no sparse file), forces data and metadata, and fsyncs
 * the directory, so the writer's {@code force(false)} never has to change metadata and ENOSPC shows
 * up here rather than on the commit path.
 *
 * <p>Threading: one background thread runs {@link #prepare} jobs; the writer thread calls {@link
 * #take}. A failed background preparation is reported (logged at ERROR, counted) but does not
 * poison the log: {@link #take} tries once more synchronously and only that failure reaches the
 * writer.
 */
final class Preallocator implements AutoCloseable {

  private static final Logger LOG = System.getLogger("dev.xatm.wal");
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

  private final Storage storage;
  private final Path directory;
  private final long segmentSize;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Thread thread;

  // Guarded by lock.
  private long requested = -1;
  private long readyIndex = -1;
  private StorageFile ready;
  private IOException failure;
  private boolean busy;
  private boolean closed;
  private int failures;

  Preallocator(Storage storage, Path directory, long segmentSize) {
    this.storage = storage;
    this.directory = directory;
    this.segmentSize = segmentSize;
    this.thread = new Thread(this::run, "xatm-wal-preallocator " + directory);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Asks the background thread to prepare segment {@code index}. */
  void prepare(long index) {
    lock.lock();
    try {
      requested = index;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The prepared segment {@code index}, waiting for a running preparation; prepares it here if the
   * background attempt failed or never ran.
   */
  StorageFile take(long index) throws IOException {
    lock.lock();
    try {
      while (busy || requested == index) {
        changed.awaitUninterruptibly(); // bounded by one segment's zero fill
      }
      if (readyIndex == index && ready != null) {
        StorageFile f = ready;
        ready = null;
        readyIndex = -1;
        return f;
      }
    } finally {
      lock.unlock();
    }
    return allocate(index);
  }

  /** Waits until no background preparation is requested or running (for tests and close). */
  void awaitIdle() {
    lock.lock();
    try {
      while (!closed && (busy || requested >= 0)) {
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Background preparations that failed so far (each was logged at ERROR). */
  int failures() {
    lock.lock();
    try {
      return failures;
    } finally {
      lock.unlock();
    }
  }

  /** The last background failure, or null. */
  IOException lastFailure() {
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }

  /** Writes a full-size zero-filled segment file and makes it and its directory entry durable. */
  StorageFile allocate(long index) throws IOException {
    Path path = SegmentFiles.path(directory, index);
    if (storage.exists(path)) {
      storage.delete(path); // a leftover partial attempt
      storage.syncDirectory(directory);
    }
    StorageFile f = storage.create(path);
    try {
      ByteBuffer[] one = new ByteBuffer[1];
      for (long pos = 0; pos < segmentSize; ) {
        ByteBuffer z = ZEROS.duplicate();
        z.limit((int) Math.min(z.capacity(), segmentSize - pos));
        one[0] = z;
        f.write(one, pos);
        pos += z.limit();
      }
      f.force(true);
      storage.syncDirectory(directory);
      return f;
    } catch (IOException | RuntimeException e) {
      f.close();
      try {
        storage.delete(path);
        storage.syncDirectory(directory);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void run() {
    while (true) {
      long index;
      lock.lock();
      try {
        while (!closed && requested < 0) {
          changed.awaitUninterruptibly();
        }
        if (closed) {
          return;
        }
        index = requested;
        busy = true;
      } finally {
        lock.unlock();
      }
      StorageFile f = null;
      IOException error = null;
      try {
        f = allocate(index);
      } catch (IOException e) {
        error = e;
        LOG.log(
            Level.ERROR,
            "WAL: could not preallocate segment "
                + index
                + " in "
                + directory
                + "; the writer continues on the current segment and retries when it needs the next"
                + " one",
            e);
      }
      lock.lock();
      try {
        busy = false;
        if (requested == index) {
          requested = -1;
        }
        if (error != null) {
          failure = error;
          failures++;
        } else if (closed) {
          closeQuietly(f);
        } else {
          ready = f;
          readyIndex = index;
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
      while (busy) {
        changed.awaitUninterruptibly();
      }
      closeQuietly(ready);
      ready = null;
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(StorageFile f) {
    if (f == null) {
      return;
    }
    try {
      f.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "WAL: closing an unused spare failed", e);
    }
  }
}
