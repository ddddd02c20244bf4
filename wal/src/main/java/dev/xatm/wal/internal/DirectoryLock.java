package dev.xatm.wal.internal;

import dev.xatm.wal.WalException;
import dev.xatm.wal.WalLockedException;
import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The exclusive lock on a log directory (FORMAT.md, "Lock file"): byte 0 of {@code wal.lock} is
 * locked through exactly one channel, and the holder's pid, host, node id and start time are
 * written after it so a refused opener can name the holder. A lock left by a killed process was
 * released by the OS and is simply taken over; its old text is overwritten.
 *
 * <p>Threading: created and closed by the thread that opens and closes the log.
 */
final class DirectoryLock implements AutoCloseable {

  private static final int INFO_SIZE = 512;

  private final Storage storage;
  private final Path path;
  private final StorageFile file;
  private final String startedAt;

  private DirectoryLock(Storage storage, Path path, StorageFile file, String startedAt) {
    this.storage = storage;
    this.path = path;
    this.file = file;
    this.startedAt = startedAt;
  }

  /**
   * Fails when {@code wal.lock} was removed or replaced while the log runs: another process could
   * then lock a new file of that name and write the same log. Checked at every rotation (cheap: a
   * stat), so a second writer is stopped within one segment rather than never.
   */
  void verifyHeld() throws IOException {
    if (!storage.stillNamesLock(file, path)) {
      throw new IOException(
          path
              + " was removed or replaced while this log was running; another process may have"
              + " opened the same log, so this one stops writing (restart it, and never delete the"
              + " lock file of a running log)");
    }
  }

  static DirectoryLock acquire(Storage storage, Path directory, String nodeId, Instant now)
      throws IOException {
    Path path = directory.resolve(SegmentFiles.LOCK_FILE);
    boolean existed = storage.exists(path);
    if (existed && storage.isDirectory(path)) {
      throw new WalException(
          "WAL directory "
              + directory
              + ": "
              + SegmentFiles.LOCK_FILE
              + " is a directory, not a lock file; remove it (it is never part of the log) and"
              + " open again");
    }
    Optional<StorageFile> locked = storage.tryLock(path);
    if (locked.isEmpty()) {
      String holder =
          new String(storage.readLockHolder(path, INFO_SIZE), StandardCharsets.UTF_8).trim();
      int end = holder.indexOf('\n');
      holder = end >= 0 ? holder.substring(0, end) : holder;
      throw new WalLockedException(
          "WAL directory "
              + directory
              + " is locked by another process or log instance ("
              + (holder.isEmpty() ? "holder unknown" : holder)
              + "); only one log may use a directory");
    }
    DirectoryLock lock = new DirectoryLock(storage, path, locked.get(), now.toString());
    try {
      if (!existed) {
        storage.syncDirectory(directory);
      }
      lock.describe(nodeId);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    return lock;
  }

  /** Rewrites the holder description (after the node id became known). */
  void describe(String nodeId) throws IOException {
    String info =
        "pid="
            + ProcessHandle.current().pid()
            + " host="
            + hostName()
            + " node="
            + (nodeId == null ? "(not yet known)" : nodeId)
            + " started="
            + startedAt
            + "\n";
    byte[] text = info.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(INFO_SIZE);
    b.put(text, 0, Math.min(text.length, INFO_SIZE - 1)).position(0);
    file.write(new ByteBuffer[] {b}, 1);
    // Not forced: the text only names the holder; the lock itself is what counts.
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
